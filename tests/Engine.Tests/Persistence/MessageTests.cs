using Dapper;
using Engine.Conversations;
using Engine.Grains.Routing;
using Engine.Grains.Storage;
using Engine.Persistence;
using Engine.Routing;
using Engine.StateMachines;
using Engine.Tests.Routing;

namespace Engine.Tests.Persistence;

public sealed class MessageTests
{
    [Theory]
    [InlineData("memory")]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Messages_are_numbered_in_their_conversation_and_a_resend_is_stored_exactly_once(string store)
    {
        await using var database = await TestStore.ForAsync(store);
        await using var host = await RoutingHost.StartOnAsync(database);
        await host.GroupAsync("g1", ServiceMode.Online, 1, "a1", "a2");
        await host.OnlineAsync("a1", "a2");
        await host.ArriveAsync("c1", "g1");
        var conversation = host.Conversation("c1");

        var first = await conversation.AppendMessage(MessageSender.Visitor, null, "text", "在吗?", "m-1");
        var resends = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => conversation.AppendMessage(MessageSender.Visitor, null, "text", "在吗?", "m-1").AsTask()));
        await host.AnswerAsync("c1", "a1");
        var reply = await conversation.AppendMessage(MessageSender.Agent, "a1", "text", "您好", "a-1");
        var third = await conversation.AppendMessage(MessageSender.Visitor, null, "image", "https://img/1.png", null);

        Assert.Equal(new AppendResult(1, true), first);
        Assert.All(resends, r => Assert.Equal(new AppendResult(1, false), r));
        Assert.Equal(new AppendResult(2, true), reply);
        Assert.Equal(new AppendResult(3, true), third);
        // Only the agent holding the active conversation writes in it.
        await Assert.ThrowsAsync<DomainException>(() => conversation.AppendMessage(MessageSender.Agent, "a2", "text", "hi", null).AsTask());

        if (database is null) return;
        await using var connection = await database.Database.OpenAsync();
        var rows = (await connection.QueryAsync<(long Seq, string Sender, string Content)>(
            "SELECT seq, sender_kind, content FROM messages WHERE conversation_id = 'c1' ORDER BY seq")).ToList();
        Assert.Equal([(1L, "visitor", "在吗?"), (2L, "agent", "您好"), (3L, "visitor", "https://img/1.png")], rows);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_plain_message_writes_only_its_record_and_one_whose_state_write_failed_is_not_overwritten_by_the_next_one(string store)
    {
        await using var database = await TestStore.CreateAsync(store == "sqlite" ? StoreKind.Sqlite : StoreKind.Postgres);
        var sql = new SqlGrainStorage(database.Database, database.Commit, TimeProvider.System);
        var storage = new FailingStorage(sql);
        await using var host = await RoutingHost.StartAsync(storage, sql, new HistoryStore(database.Commit));
        var conversation = await ActiveConversationAsync(host);
        await conversation.AppendMessage(MessageSender.Visitor, null, "text", "one", "m-1");

        // A plain message is its record alone: a state write that would fail is not even tried.
        storage.FailNextWriteOf("c1");
        Assert.Equal(new AppendResult(2, true), await conversation.AppendMessage(MessageSender.Visitor, null, "text", "one more", "m-1b"));
        storage.FailNextWriteOf(null);

        // A message that moves a deadline (the customer answers within FL-5's reply time) writes the state too. The
        // message goes on record, its conversation's state write fails: the caller gets the error.
        await conversation.AgentWrote("a1", TimeSpan.FromMinutes(5));
        storage.FailNextWriteOf("c1");
        // Orleans reports a failed state write as its own exception, with the storage's inside.
        var failed = await Assert.ThrowsAsync<Orleans.Runtime.OrleansException>(() => conversation.AppendMessage(MessageSender.Visitor, null, "text", "two", "m-2").AsTask());
        Assert.IsType<IOException>(failed.InnerException);

        var next = await conversation.AppendMessage(MessageSender.Visitor, null, "text", "three", "m-3");
        var resend = await conversation.AppendMessage(MessageSender.Visitor, null, "text", "two", "m-2");

        Assert.Equal(new AppendResult(4, true), next);
        Assert.Equal(new AppendResult(3, false), resend);
        Assert.Equal([(1L, "m-1"), (2L, "m-1b"), (3L, "m-2"), (4L, "m-3")], await StoredAsync(database));
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_message_whose_record_failed_is_put_on_record_by_the_resend(string store)
    {
        await using var database = await TestStore.CreateAsync(store == "sqlite" ? StoreKind.Sqlite : StoreKind.Postgres);
        var history = new FailingHistory(new HistoryStore(database.Commit));
        var sql = new SqlGrainStorage(database.Database, database.Commit, TimeProvider.System);
        await using var host = await RoutingHost.StartAsync(sql, sql, history);
        var conversation = await ActiveConversationAsync(host);

        // The state (with the message's client id) is stored, the message's record is not.
        history.FailNextMessage();
        await Assert.ThrowsAsync<IOException>(() => conversation.AppendMessage(MessageSender.Visitor, null, "text", "lost?", "m-1").AsTask());
        Assert.Empty(await StoredAsync(database));

        var resend = await conversation.AppendMessage(MessageSender.Visitor, null, "text", "lost?", "m-1");
        Assert.Equal([(resend.Seq, "m-1")], await StoredAsync(database));
    }

    private static async Task<IConversationGrain> ActiveConversationAsync(RoutingHost host)
    {
        await host.GroupAsync("g1", ServiceMode.Online, 1, "a1");
        await host.OnlineAsync("a1");
        await host.ArriveAsync("c1", "g1");
        await host.AnswerAsync("c1", "a1");
        return host.Conversation("c1");
    }

    private static async Task<List<(long, string)>> StoredAsync(TestStore database)
    {
        await using var connection = await database.Database.OpenAsync();
        return [.. await connection.QueryAsync<(long, string)>("SELECT CAST(seq AS BIGINT), client_message_id FROM messages WHERE conversation_id = 'c1' ORDER BY seq")];
    }

    /// <summary>A grain storage whose next write of one grain fails as a full disk would.</summary>
    private sealed class FailingStorage(SqlGrainStorage inner) : IStateStore
    {
        private string? _failNext;

        public void FailNextWriteOf(string? key)
        {
            lock (this) _failNext = key;
        }

        public ValueTask<StoredState?> ReadAsync(StateKey grain, CancellationToken cancellationToken) => inner.ReadAsync(grain, cancellationToken);

        public ValueTask<string> WriteAsync<TState>(StateKey grain, TState state, ReadOnlyMemory<byte> payload, string? etag, CancellationToken cancellationToken)
            => Fails(grain) ? ValueTask.FromException<string>(new IOException("disk full")) : inner.WriteAsync(grain, state, payload, etag, cancellationToken);

        public ValueTask ClearAsync<TState>(StateKey grain, TState lastState, string? etag, CancellationToken cancellationToken)
            => inner.ClearAsync(grain, lastState, etag, cancellationToken);

        private bool Fails(StateKey grain)
        {
            lock (this)
            {
                if (grain.Key != _failNext) return false;
                _failNext = null;
                return true;
            }
        }
    }

    /// <summary>A history whose next message record fails.</summary>
    private sealed class FailingHistory(IEngineHistory inner) : IEngineHistory
    {
        private int _failNext;

        public void FailNextMessage() => Volatile.Write(ref _failNext, 1);

        public ValueTask AgentStatusChangedAsync(string tenant, string agentId, Engine.Agents.AgentStatus from, Engine.Agents.AgentStatus to, string reason, DateTimeOffset at)
            => inner.AgentStatusChangedAsync(tenant, agentId, from, to, reason, at);

        public ValueTask MessageAppendedAsync(string tenant, MessageRecord message)
            => Interlocked.Exchange(ref _failNext, 0) == 1 ? ValueTask.FromException(new IOException("disk full")) : inner.MessageAppendedAsync(tenant, message);

        public ValueTask<MessagesOnRecord> MessagesOnRecordAsync(string tenant, string conversationId) => inner.MessagesOnRecordAsync(tenant, conversationId);

        public ValueTask VisitedAsync(string tenant, VisitRecord visit) => inner.VisitedAsync(tenant, visit);
    }
}
