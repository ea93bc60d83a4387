using Engine.Agents;
using Engine.Conversations;
using Engine.Routing;

namespace Engine.Tests.Routing;

/// <summary>Behaviour decided in docs/decisions.md where SPEC.md is silent (AS-9, SG-4, SG-5).</summary>
public sealed class DecisionTests
{
    [Fact]
    public async Task AS9_Going_offline_with_conversations_is_refused_unless_forced()
    {
        await using var host = await RoutingHost.StartAsync();
        await host.GroupAsync("g1", ServiceMode.Online, 2, "a1");
        await host.OnlineAsync("a1");
        await host.ArriveAsync("c1", "g1");
        await host.AnswerAsync("c1", "a1");

        var error = await Assert.ThrowsAsync<AgentHasWorkException>(() => host.Agent("a1").GoOffline(false).AsTask());
        Assert.Contains("force", error.Message);
        Assert.Equal(AgentStatus.Idle, (await host.AgentAsync("a1")).Status);
        Assert.Equal(ConversationStatus.Active, (await host.ConversationAsync("c1")).Status);
    }

    [Fact]
    public async Task AS9_Forced_offline_puts_held_conversations_back_at_the_front_of_their_queues()
    {
        await using var host = await RoutingHost.StartAsync();
        await host.GroupAsync("g1", ServiceMode.Online, 2, "a1", "a2");
        await host.OnlineAsync("a1");
        await host.ArriveAsync("c1", "g1");
        await host.ArriveAsync("c2", "g1");
        await host.AnswerAsync("c1", "a1");
        await host.ArriveAsync("c3", "g1");
        Assert.Equal(["c3"], (await host.GroupSnapshotAsync("g1")).Queue);

        await host.Agent("a1").GoOffline(true);
        await host.IdleAsync();
        var queue = (await host.GroupSnapshotAsync("g1")).Queue;
        Assert.Equal(3, queue.Count);
        Assert.Equal("c3", queue[^1]);
        Assert.Equal(AgentStatus.Offline, (await host.AgentAsync("a1")).Status);
        Assert.Empty((await host.AgentAsync("a1")).Work);

        await host.OnlineAsync("a2");
        var a2 = await host.AgentAsync("a2");
        Assert.Equal(2, a2.Work.Count);
        Assert.DoesNotContain(a2.Work, w => w.ConversationId == "c3");
    }

    [Fact]
    public async Task SG4_An_agent_removed_from_a_group_keeps_what_they_hold_and_gets_no_new_ones()
    {
        await using var host = await RoutingHost.StartAsync();
        await host.GroupAsync("g1", ServiceMode.Online, 3, "a1");
        await host.OnlineAsync("a1");
        await host.ArriveAsync("c1", "g1");
        await host.AnswerAsync("c1", "a1");

        await host.Group("g1").RemoveMember("a1");
        await host.ArriveAsync("c2", "g1");
        Assert.Equal(ConversationStatus.Queued, (await host.ConversationAsync("c2")).Status);
        Assert.Equal(ConversationStatus.Active, (await host.ConversationAsync("c1")).Status);

        await host.EndAsync("c1", "a1");
        await host.CompleteAsync("c1", "a1");
        Assert.Empty((await host.AgentAsync("a1")).Work);
    }

    [Fact]
    public async Task A_deleted_agent_keeps_held_conversations_and_gets_no_new_ones()
    {
        await using var host = await RoutingHost.StartAsync();
        await host.GroupAsync("g1", ServiceMode.Online, 3, "a1");
        await host.OnlineAsync("a1");
        await host.ArriveAsync("c1", "g1");
        await host.AnswerAsync("c1", "a1");

        await host.Agent("a1").Delete();
        await host.ArriveAsync("c2", "g1");
        Assert.Equal(ConversationStatus.Queued, (await host.ConversationAsync("c2")).Status);
        await host.EndAsync("c1", "a1");
        await host.CompleteAsync("c1", "a1");
        await Assert.ThrowsAsync<AgentDeletedException>(() => host.Agent("a1").GoOffline(false).AsTask().ContinueWith(_ => host.Agent("a1").GoOnline().AsTask()).Unwrap());
    }

    [Fact]
    public async Task An_agent_who_missed_an_offer_gets_it_again_only_when_no_other_member_is_online()
    {
        await using var host = await RoutingHost.StartAsync();
        await host.SetModeSettingsAsync(ServiceMode.Online, new RoutingSettings { TimeoutTransfer = true, TimeoutTransferSeconds = 10 });
        await host.GroupAsync("g1", ServiceMode.Online, 1, "a1", "a2");
        await host.OnlineAsync("a1", "a2");
        await host.ArriveAsync("busy", "g1");
        await host.AnswerAsync("busy", "a1");
        await host.ArriveAsync("c1", "g1");
        Assert.Equal("a2", await host.AgentOfAsync("c1"));
        await host.AdvanceAsync(TimeSpan.FromSeconds(10));
        // a2 missed it and is on break; a1 is busy: c1 waits.
        Assert.Equal(ConversationStatus.Queued, (await host.ConversationAsync("c1")).Status);

        await host.Agent("a2").EndBreak();
        await host.IdleAsync();
        // a1 is online (busy) and not excluded: a2 is passed by although it is free.
        Assert.Equal(ConversationStatus.Queued, (await host.ConversationAsync("c1")).Status);

        await host.EndAsync("busy", "a1");
        await host.CompleteAsync("busy", "a1");
        Assert.Equal("a1", await host.AgentOfAsync("c1"));
    }
}

public sealed class ProtocolRaceTests
{
    [Fact]
    public async Task An_agent_lost_before_its_offer_arrives_voids_the_offer_and_the_conversation_goes_back_to_the_front()
    {
        await using var host = await RoutingHost.StartAsync();
        await host.GroupAsync("g1", ServiceMode.Online, 1, "a1", "a2");
        await host.ArriveAsync("c1", "g1");
        await host.ArriveAsync("c2", "g1");
        // The group took c1 off its queue for a1; a1 went offline before the Offered message reached c1.
        Assert.True(await host.Group("g1").Dequeue("c1"));
        await host.Conversation("c1").AgentLost("a1");
        await host.Conversation("c1").Offered("a1", "g1", new RoutingSettings());
        await host.IdleAsync();

        Assert.Equal(ConversationStatus.Queued, (await host.ConversationAsync("c1")).Status);
        Assert.Equal(["c1", "c2"], (await host.GroupSnapshotAsync("g1")).Queue);
        Assert.DoesNotContain(host.Events.Rings, r => r.ConversationId == "c1");
        await host.OnlineAsync("a2");
        Assert.Equal("a2", await host.AgentOfAsync("c1"));
    }

    [Fact]
    public async Task Starting_a_conversation_twice_is_refused_and_leaves_the_first_untouched()
    {
        await using var host = await RoutingHost.StartAsync();
        await host.GroupAsync("g1", ServiceMode.Online, 1, "a1");
        await host.ArriveAsync("c1", "g1", "alice");
        await Assert.ThrowsAsync<Engine.StateMachines.DomainException>(() => host.ArriveAsync("c1", "g1", "bob"));
        var c1 = await host.ConversationAsync("c1");
        Assert.Equal(("alice", ConversationStatus.Queued), (c1.VisitorId, c1.Status));
        Assert.Equal(["c1"], (await host.GroupSnapshotAsync("g1")).Queue);
    }
}

public sealed class ReviewRegressionTests
{
    [Fact]
    public async Task A_conversation_whose_group_was_deleted_while_with_an_agent_ends_when_it_would_go_back_to_the_queue()
    {
        await using var host = await RoutingHost.StartAsync();
        await host.GroupAsync("g1", ServiceMode.Online, 2, "a1");
        await host.OnlineAsync("a1");
        await host.ArriveAsync("c1", "g1");
        await host.AnswerAsync("c1", "a1");
        await host.TenantGrain.DeleteSkillGroup("g1");

        await host.Agent("a1").GoOffline(true);
        await host.IdleAsync();

        Assert.Null(await host.Conversation("c1").GetSnapshot());
        var closed = host.Events.Conversations.Last(c => c.Id == "c1");
        Assert.Equal((ConversationStatus.Completed, EndReason.GroupDeleted), (closed.Status, closed.EndReason));
        Assert.Empty(host.Failures.Entries);
    }

    [Fact]
    public async Task A_customer_leaving_just_after_the_agent_was_forced_offline_ends_the_conversation_without_an_error()
    {
        await using var host = await RoutingHost.StartAsync();
        await host.GroupAsync("g1", ServiceMode.Online, 2, "a1", "a2");
        await host.OnlineAsync("a1", "a2");
        await host.ArriveAsync("c1", "g1");
        await host.AnswerAsync("c1", "a1");
        // The agent drops c1 before the conversation hears of it.
        Assert.True(await host.Agent("a1").Release("c1"));
        var left = await host.Conversation("c1").Abandon();
        await host.IdleAsync();

        Assert.Equal(ConversationStatus.Completed, left.Status);
        Assert.Empty((await host.AgentAsync("a2")).Work);
    }

    [Fact]
    public async Task RT4_Turning_timeout_transfer_on_arms_overflow_for_conversations_already_queued()
    {
        await using var host = await RoutingHost.StartAsync();
        await host.GroupAsync("g2", ServiceMode.Online, 1, "b1");
        await host.TenantGrain.CreateSkillGroup("g1", ServiceMode.Online, 1, ["g2"]);
        await host.OnlineAsync("b1");
        await host.ArriveAsync("c1", "g1");
        await host.AdvanceAsync(TimeSpan.FromSeconds(60));
        Assert.Equal("g1", (await host.ConversationAsync("c1")).GroupId);

        await host.SetModeSettingsAsync(ServiceMode.Online, new RoutingSettings { TimeoutTransfer = true, TimeoutTransferSeconds = 30 });
        await host.AdvanceAsync(TimeSpan.FromSeconds(1));

        var moved = await host.ConversationAsync("c1");
        Assert.Equal(("g2", "b1"), (moved.GroupId, moved.AgentId));
    }

    [Fact]
    public async Task AS1_A_deleted_agent_without_conversations_shows_offline()
    {
        await using var host = await RoutingHost.StartAsync();
        await host.GroupAsync("g1", ServiceMode.Online, 2, "a1");
        await host.OnlineAsync("a1");
        await host.Agent("a1").Delete();
        Assert.Equal(AgentStatus.Offline, (await host.AgentAsync("a1")).Status);
        Assert.Equal(0, host.Counters.Agents(AgentStatus.Idle));
    }
}
