using Engine.Agents;
using Engine.Persistence;
using Engine.Tests.Persistence;
using Engine.Conversations;
using Engine.Grains.Routing;
using Engine.Routing;

namespace Engine.Tests.Routing;

/// <summary>Grain state read back by a new runtime over the same storage: what issue 2's durable stores rely on.</summary>
public sealed class RestartTests
{
    [Theory]
    [InlineData("memory")]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_new_runtime_over_the_same_storage_sees_agents_groups_queues_and_conversations_as_they_were(string store)
    {
        await using var database = await TestStore.ForAsync(store);
        var first = await FirstRunAsync(database);
        await first.SetModeSettingsAsync(ServiceMode.Phone, new RoutingSettings { StatusRecovery = true, StatusRecoverySeconds = 20, Policy = AllocationPolicyKind.RoundRobin });
        await first.GroupAsync("g1", ServiceMode.Online, 2, "a1", "a2");
        await first.GroupAsync("p1", ServiceMode.Phone, 1, "a3");
        await first.OnlineAsync("a1", "a3");
        await first.ArriveAsync("c1", "g1", "alice");
        await first.AnswerAsync("c1", "a1");
        await first.ArriveAsync("c2", "g1");
        await first.ArriveAsync("c3", "g1");
        await first.ArriveAsync("call1", "p1", "+861", ServiceMode.Phone);
        await first.AnswerAsync("call1", "a3");
        await first.EndAsync("call1", "a3");

        var agents = new Dictionary<string, AgentSnapshot>();
        foreach (var id in new[] { "a1", "a2", "a3" }) agents[id] = await first.AgentAsync(id);
        var conversations = new Dictionary<string, Engine.Grains.Routing.ConversationSnapshot>();
        foreach (var id in new[] { "c1", "c2", "c3", "call1" }) conversations[id] = await first.ConversationAsync(id);
        var g1 = await first.GroupSnapshotAsync("g1");
        var p1 = await first.GroupSnapshotAsync("p1");
        await first.DisposeAsync();

        await using var second = await RoutingHost.StartAsync(first.Store, first.Live, first.History, first.Clock);
        foreach (var (id, before) in agents)
        {
            var after = await second.AgentAsync(id);
            Assert.Equal((before.Status, before.Presence, before.IdleSince), (after.Status, after.Presence, after.IdleSince));
            Assert.Equal(before.Work.OrderBy(w => w.ConversationId), after.Work.OrderBy(w => w.ConversationId));
            Assert.Equal(before.Groups.OrderBy(g => g.Key), after.Groups.OrderBy(g => g.Key));
        }
        foreach (var (id, before) in conversations)
        {
            var after = await second.ConversationAsync(id);
            Assert.Equal(before with { ExcludedAgents = [] }, after with { ExcludedAgents = [] });
        }
        var g1After = await second.GroupSnapshotAsync("g1");
        Assert.Equal(g1.Queue, g1After.Queue);
        Assert.Equal(g1.Members, g1After.Members);
        Assert.Equal((g1.ReceptionCap, g1.OnlineAgents), (g1After.ReceptionCap, g1After.OnlineAgents));
        Assert.Equal(p1.Settings with { OverflowGroupIds = [] }, (await second.GroupSnapshotAsync("p1")).Settings with { OverflowGroupIds = [] });
        Assert.Equal(AllocationPolicyKind.RoundRobin, (await second.GroupSnapshotAsync("p1")).Settings.Policy);

        // Routing resumes: the after-call deadline fires in the new silo, and a freed agent takes the queue head.
        await second.AdvanceAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(AgentStatus.Idle, (await second.AgentAsync("a3")).Status);
        await second.EndAsync("c1", "a1");
        await second.CompleteAsync("c1", "a1");
        Assert.Equal("a1", await second.AgentOfAsync("c3"));
        Assert.Equal(ConversationStatus.Offered, (await second.ConversationAsync("c3")).Status);
    }

    [Theory]
    [InlineData("memory")]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task AS4_FL5_offer_and_reply_deadlines_of_live_conversations_fire_after_a_restart_with_nobody_calling_them(string store)
    {
        await using var database = await TestStore.ForAsync(store);
        var first = await FirstRunAsync(database);
        await first.SetModeSettingsAsync(ServiceMode.Online, new RoutingSettings { TimeoutTransfer = true, TimeoutTransferSeconds = 30 });
        await first.GroupAsync("g1", ServiceMode.Online, 3, "a1");
        await first.OnlineAsync("a1");
        await first.ArriveAsync("ringing", "g1");
        await first.ArriveAsync("talking", "g1");
        await first.AnswerAsync("talking", "a1");
        await first.Conversation("talking").AgentWrote("a1", TimeSpan.FromSeconds(60));
        // MK-3: a marketing account's auto end is the same deadline, up to 48 h.
        await first.ArriveAsync("account-chat", "g1");
        await first.AnswerAsync("account-chat", "a1");
        await first.Conversation("account-chat").AgentWrote("a1", TimeSpan.FromHours(48));
        await first.DisposeAsync();

        await using var second = await RoutingHost.StartAsync(first.Store, first.Live, first.History, first.Clock);
        // The start wakes the live conversations; once they are awake, time moves.
        await second.IdleAsync();
        await second.AdvanceAsync(TimeSpan.FromSeconds(31));
        // AS-4: the offer nobody answered was withdrawn and the agent put on break, with no call reaching the conversation.
        Assert.Contains(("a1", "ringing"), second.Events.Withdrawn);
        await second.AdvanceAsync(TimeSpan.FromSeconds(30));
        // FL-5: the customer never replied within 60 s of the agent's message.
        Assert.Contains(second.Events.Conversations, c => c.Id == "talking" && c.EndReason == EndReason.CustomerReplyTimeout);

        Assert.Equal(ConversationStatus.Queued, (await second.ConversationAsync("ringing")).Status);
        Assert.Equal(AgentStatus.Break, (await second.AgentAsync("a1")).Status);
        Assert.Equal(ConversationStatus.Ended, (await second.ConversationAsync("talking")).Status);

        // MK-3 across the restart: still active a minute before its 48 h, ended at them.
        await second.AdvanceAsync(TimeSpan.FromHours(48) - TimeSpan.FromSeconds(61) - TimeSpan.FromMinutes(1));
        Assert.Equal(ConversationStatus.Active, (await second.ConversationAsync("account-chat")).Status);
        await second.AdvanceAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(ConversationStatus.Ended, (await second.ConversationAsync("account-chat")).Status);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task An_agents_work_is_not_stored_with_the_agent_and_is_rebuilt_from_the_live_conversations_after_a_restart(string store)
    {
        await using var database = await TestStore.ForAsync(store);
        var first = await StoredRunAsync(database!, null);
        await first.SetModeSettingsAsync(ServiceMode.Phone, new RoutingSettings { StatusRecovery = true, StatusRecoverySeconds = 20 });
        await first.GroupAsync("g1", ServiceMode.Online, 2, "a1");
        await first.GroupAsync("p1", ServiceMode.Phone, 1, "a3");
        await first.OnlineAsync("a1", "a3");
        var stored = await first.Store.ReadAsync(new Engine.Grains.Storage.StateKey(nameof(AgentGrain), RoutingHost.Tenant, "a1"), default);

        await first.ArriveAsync("c1", "g1");
        await first.AnswerAsync("c1", "a1");
        await first.ArriveAsync("c2", "g1");
        await first.ArriveAsync("call1", "p1", "+861", ServiceMode.Phone);
        await first.AnswerAsync("call1", "a3");
        await first.EndAsync("call1", "a3");
        // The conversations moved through reserve, answer and end at the agents: none of it wrote the agent's state.
        Assert.Equal(stored!.Etag, (await first.Store.ReadAsync(new Engine.Grains.Storage.StateKey(nameof(AgentGrain), RoutingHost.Tenant, "a1"), default))!.Etag);
        var before = new Dictionary<string, AgentSnapshot>();
        foreach (var id in new[] { "a1", "a3" }) before[id] = await first.AgentAsync(id);
        Assert.Equal(2, before["a1"].Work.Count);
        await first.DisposeAsync();

        await using var second = await StoredRunAsync(database!, first.Clock);
        foreach (var (id, agent) in before)
        {
            var after = await second.AgentAsync(id);
            Assert.Equal((agent.Status, agent.Presence), (after.Status, after.Presence));
            Assert.Equal(agent.Work.OrderBy(w => w.ConversationId), after.Work.OrderBy(w => w.ConversationId));
        }
        // AS-7: the rebuilt after-call deadline still returns the agent to Idle.
        await second.AdvanceAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(AgentStatus.Idle, (await second.AgentAsync("a3")).Status);
    }

    private static Task<RoutingHost> StoredRunAsync(TestStore database, Microsoft.Extensions.Time.Testing.FakeTimeProvider? clock) => RoutingHost.StartOnAsync(database, clock);

    /// <summary>A host on the store's grain state and history (in memory for null): what a restart reads back.</summary>
    private static Task<RoutingHost> FirstRunAsync(TestStore? database) => RoutingHost.StartOnAsync(database);
}
