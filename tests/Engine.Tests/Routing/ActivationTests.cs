using Engine.Agents;
using Engine.Conversations;
using Engine.Grains.Routing;
using Engine.Routing;

namespace Engine.Tests.Routing;

/// <summary>What the engine builds on Orleans's activation: keep-alive, and grains that come back from their stored state.</summary>
public sealed class ActivationTests
{
    [Fact]
    public async Task Idle_collection_spares_online_agents_waiting_queues_and_live_conversations_and_takes_the_rest()
    {
        await using var host = await RoutingHost.StartAsync();
        await host.GroupAsync("g1", ServiceMode.Online, 1, "a1", "a2");
        await host.OnlineAsync("a1");
        await host.ArriveAsync("c1", "g1");
        await host.ArriveAsync("c2", "g1");
        Assert.Equal((1, 1), (host.Counters.Agents(AgentStatus.Busy), host.Counters.Agents(AgentStatus.Offline)));

        await host.CollectIdleAsync();

        // a2 (offline, holding nothing) went; a1, the queue holding c2 and both live conversations stayed.
        Assert.Equal((1, 0), (host.Counters.Agents(AgentStatus.Busy), host.Counters.Agents(AgentStatus.Offline)));
        Assert.Equal((1, 1), (host.Counters.Conversations(ConversationStatus.Offered), host.Counters.Conversations(ConversationStatus.Queued)));
        Assert.Equal(["c2"], (await host.GroupSnapshotAsync("g1")).Queue);
        Assert.Equal(Presence.Offline, (await host.AgentAsync("a2")).Presence);
    }

    [Fact]
    public async Task RT1_RT5_A_waiting_conversation_read_back_from_storage_rejoins_a_queue_that_lost_it_and_voids_an_offer_never_stored()
    {
        await using var host = await RoutingHost.StartAsync();
        await host.GroupAsync("g1", ServiceMode.Online, 1, "a1");
        await host.OnlineAsync("a1");
        await host.ArriveAsync("c0", "g1");
        await host.AnswerAsync("c0", "a1");
        await host.ArriveAsync("c1", "g1");
        // As after a lost silo: the group no longer queues c1, and a1 reserved it in a step c1 never stored.
        Assert.True(await host.Group("g1").Dequeue("c1"));
        await host.EndAsync("c0", "a1");
        await host.CompleteAsync("c0", "a1");
        Assert.Equal(ReserveOutcome.Reserved, (await host.Agent("a1").TryReserve("c1", "g1")).Outcome);

        await host.Cluster.DeactivateAsync(host.Conversation("c1"));
        var back = await host.ConversationAsync("c1");
        await host.IdleAsync();

        // c1 took its place again and was offered to a1, who holds it once.
        Assert.Equal((ConversationStatus.Offered, "a1"), (back.Status, back.AgentId));
        var held = Assert.Single((await host.AgentAsync("a1")).Work);
        Assert.Equal(("c1", WorkStage.Reserved), (held.ConversationId, held.Stage));
        Assert.Contains(("a1", "c1"), host.Events.Rings);
    }

    [Fact]
    public async Task RT5_an_offer_its_agent_let_go_of_returns_to_the_queue_and_rings_again_without_a_deadline()
    {
        await using var host = await RoutingHost.StartAsync();
        await host.GroupAsync("g1", ServiceMode.Online, 1, "a1");
        await host.OnlineAsync("a1");
        await host.ArriveAsync("c1", "g1");
        Assert.Equal((ConversationStatus.Offered, "a1"), ((await host.ConversationAsync("c1")).Status, (await host.ConversationAsync("c1")).AgentId));
        // As after a failover: a second activation of c1 had a1 release the reservation, then lost its write.
        Assert.True(await host.Agent("a1").Release("c1"));
        Assert.Empty((await host.AgentAsync("a1")).Work);

        await host.AdvanceAsync(ConversationGrain.OfferCheckInterval);

        var back = await host.ConversationAsync("c1");
        Assert.Equal((ConversationStatus.Offered, "a1"), (back.Status, back.AgentId));
        Assert.True(await host.Agent("a1").HoldsOffer("c1"));
        Assert.Equal(2, host.Events.Rings.Count(r => r == ("a1", "c1")));
    }

    [Fact]
    public async Task SG3_the_group_owns_its_cap_and_a_members_copy_left_out_of_step_is_told_again_when_the_group_activates()
    {
        await using var host = await RoutingHost.StartAsync();
        await host.GroupAsync("g1", ServiceMode.Online, 2, "a1");
        // As after a failure part-way through a change of cap: the agent kept another cap than the group's.
        await host.Agent("a1").JoinGroup("g1", ServiceMode.Online, 5);
        Assert.Equal(5, (await host.AgentAsync("a1")).Groups["g1"].Cap);

        await host.Cluster.DeactivateAsync(host.Group("g1"));
        Assert.Equal(2, (await host.GroupSnapshotAsync("g1")).ReceptionCap);
        Assert.Equal(new Membership(ServiceMode.Online, 2), (await host.AgentAsync("a1")).Groups["g1"]);
    }

    [Fact]
    public async Task ST1_SG3_mode_settings_reach_every_group_of_the_mode_and_each_keeps_its_own_cap_and_overflow_list()
    {
        await using var host = await RoutingHost.StartAsync();
        await host.TenantGrain.CreateSkillGroup("g1", ServiceMode.Online, 3, []);
        await host.TenantGrain.CreateSkillGroup("g2", ServiceMode.Online, 5, ["g1"]);
        await host.SetModeSettingsAsync(ServiceMode.Online, new RoutingSettings { TimeoutTransfer = true, TimeoutTransferSeconds = 25 });

        var g2 = await host.GroupSnapshotAsync("g2");
        Assert.Equal((5, true, 25), (g2.ReceptionCap, g2.Settings.TimeoutTransfer, g2.Settings.TimeoutTransferSeconds));
        Assert.Equal(["g1"], g2.Settings.OverflowGroupIds);
        Assert.Equal(3, (await host.GroupSnapshotAsync("g1")).ReceptionCap);
        // The tenant asks the groups: what it reports is what they hold.
        var groups = await host.TenantGrain.GetSkillGroups();
        Assert.Equal(5, groups["g2"].ReceptionCap);
        Assert.Equal(["g1"], groups["g2"].OverflowGroupIds);
        await Assert.ThrowsAsync<SkillGroupUnavailableException>(() => host.TenantGrain.DeleteSkillGroup("g1").AsTask());
    }

    [Fact]
    public async Task A_step_the_agent_already_took_is_not_refused_when_its_conversation_asks_again()
    {
        await using var host = await RoutingHost.StartAsync();
        await host.GroupAsync("g1", ServiceMode.Online, 1, "a1");
        await host.OnlineAsync("a1");
        await host.ArriveAsync("c1", "g1");
        // As after a lost silo, for each step in turn: a1 took it, c1 did not store it, and c1 asks again.
        await host.Agent("a1").Answer("c1");
        await host.AnswerAsync("c1", "a1");
        await host.Agent("a1").End("c1", AfterCallRule.Default);
        await host.EndAsync("c1", "a1");
        await host.Agent("a1").Complete("c1");
        await host.CompleteAsync("c1", "a1");

        Assert.Null(await host.Conversation("c1").GetSnapshot());
        Assert.Empty((await host.AgentAsync("a1")).Work);
        Assert.Equal(AgentStatus.Idle, (await host.AgentAsync("a1")).Status);
    }
}
