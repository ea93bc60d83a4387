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
}
