using Dapper;
using Engine.Grains.Routing;
using Engine.Persistence;
using Engine.Routing;
using Engine.Tests.Routing;

namespace Engine.Tests.Persistence;

/// <summary>What the grains put on record as a conversation is routed (the tables records and dashboards read).</summary>
public sealed class HistoryRecordTests
{
    [Theory]
    [InlineData(StoreKind.Sqlite)]
    [InlineData(StoreKind.Postgres)]
    public async Task A_routed_conversation_and_the_agent_status_changes_are_on_record_when_each_step_returns(StoreKind kind)
    {
        await using var store = await TestStore.CreateAsync(kind);
        await using var host = await RoutingHost.StartOnAsync(store);
        await host.GroupAsync("g1", ServiceMode.Online, 1, "a1");
        await host.OnlineAsync("a1");
        await host.ArriveAsync("c1", "g1", "alice");

        // On SQLite the agent's Idle -> Busy record is posted, not awaited: the conversation's save queued after it made it durable.
        await using var connection = await store.Database.OpenAsync();
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM agent_status_history WHERE agent_id = 'a1' AND from_status = 'Idle' AND to_status = 'Busy'"));
        await host.AnswerAsync("c1", "a1");

        var active = await connection.QuerySingleAsync<(string Status, string AgentId, string VisitorId)>(
            "SELECT status, agent_id, visitor_id FROM conversations WHERE tenant_id = 't1' AND id = 'c1'");
        Assert.Equal(("Active", "a1", "alice"), active);

        await host.EndAsync("c1", "a1");
        await host.CompleteAsync("c1", "a1");
        var done = await connection.QuerySingleAsync<(string Status, string EndReason, long? EndedAt)>(
            "SELECT status, end_reason, ended_at FROM conversations WHERE id = 'c1'");
        Assert.Equal(("Completed", "AgentEnded"), (done.Status, done.EndReason));
        Assert.NotNull(done.EndedAt);
        var changes = (await connection.QueryAsync<(string From, string To)>(
            "SELECT from_status, to_status FROM agent_status_history WHERE agent_id = 'a1' ORDER BY at, from_status")).ToList();
        Assert.Contains(("Offline", "Idle"), changes);
        Assert.Contains(("Idle", "Busy"), changes);
        Assert.Contains(("Busy", "WrapUp"), changes);
        Assert.Contains(("WrapUp", "Idle"), changes);
        Assert.Empty(await connection.QueryAsync<string>("SELECT grain_key FROM grain_state WHERE grain_type = 'ConversationGrain'"));
    }

    [Fact]
    public async Task Where_writes_commit_in_order_a_reservation_does_not_wait_for_the_agents_status_record()
    {
        await using var store = await TestStore.CreateAsync(StoreKind.Sqlite);
        var history = new HeldStatusRecords(new HistoryStore(store.Commit));
        Assert.True(history.CommitsInOrder);
        await using var host = await RoutingHost.StartAsync(
            storage: new SqlGrainStorage(store.Database, store.Commit, TimeProvider.System),
            reminders: new SqlReminderStore(store.Database, store.Commit),
            history: history);
        await host.GroupAsync("g1", ServiceMode.Online, 1, "a1");
        await host.OnlineAsync("a1");
        history.Hold = true;

        // The group's reservation and the conversation's save go ahead while a1's Idle -> Busy record is held:
        // the save queued after it is what makes it durable.
        var (arrived, _) = await host.ArriveAsync("c1", "g1").WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(("a1", 1), (arrived.AgentId, history.Held));
        await host.AnswerAsync("c1", "a1").WaitAsync(TimeSpan.FromSeconds(30));
        await history.ReleaseAsync();

        await using var connection = await store.Database.OpenAsync();
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM agent_status_history WHERE agent_id = 'a1' AND to_status = 'Busy'"));
    }

    /// <summary>A history that holds back agent status records while <see cref="Hold"/> is on, until released.</summary>
    private sealed class HeldStatusRecords(IEngineHistory inner) : IEngineHistory
    {
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly System.Collections.Concurrent.ConcurrentQueue<Task> _held = new();

        public bool Hold { get; set; }

        public int Held => _held.Count;

        /// <summary>Lets the held records through; completes once they are stored.</summary>
        public Task ReleaseAsync()
        {
            _released.TrySetResult();
            return Task.WhenAll(_held);
        }

        public ValueTask AgentStatusChangedAsync(string tenant, string agentId, Engine.Agents.AgentStatus from, Engine.Agents.AgentStatus to, string reason, DateTimeOffset at)
            => inner.AgentStatusChangedAsync(tenant, agentId, from, to, reason, at);

        public void AgentStatusChangedInOrder(string tenant, string agentId, Engine.Agents.AgentStatus from, Engine.Agents.AgentStatus to, string reason, DateTimeOffset at)
        {
            if (Hold) _held.Enqueue(RecordWhenReleasedAsync(tenant, agentId, from, to, reason, at));
            else inner.AgentStatusChangedInOrder(tenant, agentId, from, to, reason, at);
        }

        private async Task RecordWhenReleasedAsync(string tenant, string agentId, Engine.Agents.AgentStatus from, Engine.Agents.AgentStatus to, string reason, DateTimeOffset at)
        {
            await _released.Task;
            await inner.AgentStatusChangedAsync(tenant, agentId, from, to, reason, at);
        }

        public ValueTask MessageAppendedAsync(string tenant, MessageRecord message) => inner.MessageAppendedAsync(tenant, message);

        public ValueTask<MessagesOnRecord> MessagesOnRecordAsync(string tenant, string conversationId) => inner.MessagesOnRecordAsync(tenant, conversationId);

        public bool KeepsLiveWork => inner.KeepsLiveWork;

        public bool CommitsInOrder => inner.CommitsInOrder;

        public ValueTask<IReadOnlyList<Engine.Agents.WorkItem>> LiveWorkAsync(string tenant, string agentId) => inner.LiveWorkAsync(tenant, agentId);
    }
}
