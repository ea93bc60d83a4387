using Engine.Agents;
using Engine.Conversations;
using Engine.Grains.Routing;
using Engine.Routing;
using Engine.StateMachines;

namespace Engine.Tests.Routing;

/// <summary>
/// Every method of every grain interface, called once through the test cluster's client, so that each argument,
/// result and refusal crosses the wire: a type without a codec fails here, not at the first call in production.
/// </summary>
public sealed class GrainContractTests
{
    [Fact]
    public async Task Every_grain_interface_method_answers_through_the_wire_and_refusals_arrive_as_their_own_exceptions()
    {
        await using var host = await RoutingHost.StartAsync();
        var tenant = host.TenantGrain;
        var settings = new RoutingSettings { TimeoutTransfer = true, TimeoutTransferSeconds = 30, OverflowGroupIds = [] };
        await tenant.SetModeSettings(ServiceMode.Online, settings);
        Assert.True((await tenant.GetModeSettings(ServiceMode.Online)).TimeoutTransfer);
        await tenant.CreateSkillGroup("g1", ServiceMode.Online, 2, []);
        await tenant.CreateSkillGroup("g2", ServiceMode.Online, 1, ["g1"]);
        await tenant.UpdateSkillGroup("g2", 2, ["g1"]);
        Assert.Equal(["g1"], (await tenant.GetSkillGroups())["g2"].OverflowGroupIds);
        var refused = await Assert.ThrowsAsync<RoutingSettingsException>(() => tenant.CreateSkillGroup("g3", ServiceMode.Online, 1, ["nope"]).AsTask());
        Assert.Equal("overflowGroupIds", refused.Field);

        var group = host.Group("g1");
        await group.Configure(ServiceMode.Online, 2, settings);
        await group.AddMember("a1");
        await group.AddMember("a2");
        await group.RemoveMember("a2");
        Assert.Equal(["a1"], (await group.GetSnapshot()).Members);

        var agent = host.Agent("a1");
        await agent.GoOnline();
        await agent.StartBreak();
        await agent.EndBreak();
        Assert.Equal(Presence.Online, (await agent.SetPresence(Presence.Online, false)).Presence);
        Assert.True((await agent.GetAvailability("g1")).Online);
        Assert.True((await agent.JoinGroup("g1", ServiceMode.Online, 2)).CanTake);
        var transition = await Assert.ThrowsAsync<InvalidTransitionException>(() => agent.EndBreak().AsTask());
        Assert.Equal(("AgentPresence", "Online"), (transition.Machine, transition.State));

        var started = await host.Conversation("c1").Start("alice", ServiceMode.Online, "g1");
        Assert.Equal(("a1", -1), (started.Conversation.AgentId, started.Position));
        var conversation = host.Conversation("c1");
        Assert.True(await agent.HoldsOffer("c1"));
        Assert.True(await agent.Holds("c1"));
        Assert.False(await agent.Holds("c-unknown"));
        Assert.Equal(ConversationStatus.Active, (await conversation.Answer("a1")).Status);
        var appended = await conversation.AppendMessage(MessageSender.Agent, "a1", "text", "您好", "m1");
        Assert.Equal(new AppendResult(1, true), appended);
        await conversation.AgentWrote("a1", TimeSpan.FromSeconds(60));
        await conversation.CustomerWrote();
        Assert.Equal(ConversationStatus.Ended, (await conversation.End("a1")).Status);
        Assert.Equal(ConversationStatus.Completed, (await conversation.Complete("a1")).Status);
        await Assert.ThrowsAsync<ConversationNotFoundException>(() => conversation.Abandon().AsTask());

        // The agent's own steps, as a conversation asks them: a second conversation taken, then let go.
        var reservation = await agent.TryReserve("c2", "g1");
        Assert.Equal(ReserveOutcome.Reserved, reservation.Outcome);
        Assert.Equal(WorkStage.Reserved, await agent.MissOffer("c2"));
        Assert.False(await agent.Release("c2"));
        Assert.False(await agent.EndIfActive("c2", AfterCallRule.Default));
        await agent.EndBreak();
        Assert.Equal(ReserveOutcome.Reserved, (await agent.TryReserve("c3", "g1")).Outcome);
        await agent.Answer("c3");
        await agent.End("c3", AfterCallRule.Default);
        await agent.Complete("c3");
        Assert.Empty((await agent.GetSnapshot()).Work);
        // Asked again after the conversation let go of it, a step is already done; wrap-up is refused (a chat has none).
        await agent.Continue("c3");
        await agent.FinishWrapUp("c3");
        await Assert.ThrowsAnyAsync<DomainException>(() => agent.EnterWrapUp("c3", AfterCallRule.Default).AsTask());

        var queued = await group.Enqueue(new EnqueueRequest("c4", "bob", ServiceMode.Online, host.Clock.GetUtcNow(), [], [], Front: false));
        Assert.Equal("a1", queued.AgentId);
        Assert.Equal(-1, await group.PositionOf("c4"));
        Assert.False(await group.Dequeue("c4"));
        var again = await group.EnsureQueued(new EnqueueRequest("c4", "bob", ServiceMode.Online, host.Clock.GetUtcNow(), [], [], Front: true));
        Assert.Equal("a1", again.AgentId);

        var visitor = host.Grains.Visitor(RoutingHost.Tenant, "alice");
        Assert.Null(await visitor.LastAgent());

        // The one-way methods: each is delivered and leaves the engine as it found it.
        await conversation.Offered("a1", "g1", settings);
        await conversation.AfterCallDone("a1");
        await conversation.AgentLost("a1");
        await conversation.Overflow("g1", "g2");
        await conversation.DeadlineDue("offer");
        await conversation.Wake();
        await agent.DeadlineDue();
        await group.AgentAvailabilityChanged(await agent.GetAvailability("g1"));
        await group.OverflowDue();
        await group.Wake();
        await visitor.ServedBy("a1");
        await host.IdleAsync();
        Assert.Equal("a1", await visitor.LastAgent());
        Assert.Null(await conversation.GetSnapshot());

        await tenant.DeleteSkillGroup("g2");
        var deleted = await Assert.ThrowsAsync<SkillGroupUnavailableException>(() => host.Group("g2").AddMember("a1").AsTask());
        Assert.Equal("g2", deleted.GroupId);
        await agent.LeaveGroup("g1");
        await agent.GoOffline(force: true);
        await agent.Delete();
        await Assert.ThrowsAsync<AgentDeletedException>(() => agent.GoOnline().AsTask());
        await group.Delete();
        Assert.Empty(host.Failures.Entries);
    }

    [Fact]
    public async Task MK3_MK7_The_account_group_and_the_FAQ_grain_answer_through_the_wire()
    {
        await using var host = await RoutingHost.StartAsync();
        var routing = new RoutingSettings { Policy = AllocationPolicyKind.RoundRobin, LastAgentPriority = true };
        await host.TenantGrain.ConfigureAccountGroup("mk1", 50, routing);
        var account = await host.Group("mk1").GetSnapshot();
        Assert.Equal((50, AllocationPolicyKind.RoundRobin, true), (account.ReceptionCap, account.Settings.Policy, account.Settings.LastAgentPriority));
        // ST-1 mode settings do not reach an account's own rule, and no skill group overflows into it.
        await host.TenantGrain.SetModeSettings(ServiceMode.Online, new RoutingSettings { Policy = AllocationPolicyKind.LongestIdle });
        Assert.Equal(AllocationPolicyKind.RoundRobin, (await host.Group("mk1").GetSnapshot()).Settings.Policy);
        await Assert.ThrowsAsync<RoutingSettingsException>(() => host.TenantGrain.CreateSkillGroup("g1", ServiceMode.Online, 1, ["mk1"]).AsTask());

        var faq = host.Grains.Faq(host.TenantId);
        await faq.Changed("e1", faq: true, new FaqDocument("e1", ["怎么开发票", "发票在哪申请"], "在订单页申请开票。"));
        await faq.Changed("p1", faq: false, new FaqDocument("p1", ["开票提醒"], "发票会在三个工作日内开出。", FaqDocument.Enterprise));
        await faq.Changed("p2", faq: false, new FaqDocument("p2", ["我的开票话术"], "发票已为您申请。", FaqDocument.Personal("a2")));
        var answer = await faq.Ask("发票在哪里申请");
        Assert.Equal(("e1", "在订单页申请开票。"), (answer.EntryId, answer.Answer));
        Assert.True(answer.Confidence > 0.5, $"confidence {answer.Confidence}");
        var hits = await faq.Search("a1", "发票", 10);
        Assert.Equal(["e1"], hits.Faq);
        Assert.Equal(["p1"], hits.Phrases);
        await faq.Reload();
        Assert.Null((await faq.Ask("发票")).EntryId);
        Assert.Empty(host.Failures.Entries);
    }
}
