using Engine.Metrics;
using Engine.Persistence;
using Engine.Persistence.Admin;

namespace Engine.Tests.Persistence;

/// <summary>
/// The records' reads (DB-6 list, DB-7 detail and message search, AS-8 an agent's own) over a hand-made history,
/// the same on SQLite and PostgreSQL.
/// </summary>
public abstract class RecordStoreContract(StoreKind kind) : IAsyncLifetime
{
    /// <summary>2026-01-01T00:00:00Z.</summary>
    private const long T0 = 1_767_225_600_000;

    private const long Minute = 60_000;

    private TestStore? _store;

    private TestStore Store => _store ?? throw new InvalidOperationException("not initialized");

    private RecordStore Records => new(Store.Database);

    public async Task InitializeAsync() => _store = await TestStore.CreateAsync(kind);

    public async Task DisposeAsync()
    {
        if (_store is not null) await _store.DisposeAsync();
    }

    /// <summary>Tenant t1: agents Ann and Bob, group 售后, account 旗舰店, a WeChat channel.</summary>
    private async Task<HandMadeHistory> TenantAsync(string tenantId = "t1")
    {
        var history = new HandMadeHistory(Store.Database, tenantId);
        await history.TenantAsync();
        await history.UserAsync(tenantId + "-ann", "Ann");
        await history.UserAsync(tenantId + "-bob", "Bob");
        await history.GroupAsync(tenantId + "-g", "售后");
        await history.AccountAsync(tenantId + "-shop", "旗舰店");
        await history.ChannelAsync(tenantId + "-wx", "公众号", "wechat");
        return history;
    }

    private static RecordFilter All => new();

    private static string[] Ids(IEnumerable<RecordRow> rows) => [.. rows.Select(r => r.Id)];

    private static string[] Keys(IEnumerable<MessageHitRow> rows) => [.. rows.Select(m => $"{m.ConversationId}#{m.Seq}")];

    private static MessageSearch Range(long from = T0, long to = T0 + 1000 * Minute) => new(from, to);

    [Fact]
    public async Task DB6_A_record_shows_customer_account_group_agent_start_last_message_channel_and_region_newest_first()
    {
        var t = await TenantAsync();
        await t.ConversationAsync("c-old", T0, agentId: "t1-ann", groupId: "t1-g", visitorId: "v-old");
        await t.ConversationAsync("c-new", T0 + Minute, agentId: "t1-bob", accountId: "t1-shop", groupId: "t1-g", channelId: "t1-wx", region: "广东 深圳", visitorId: "openid-9");
        await t.MessageAsync("c-new", 1, "visitor", "在吗", T0 + Minute + 1000);
        var longText = new string('好', RecordStore.PreviewLength + 40);
        await t.MessageAsync("c-new", 2, "agent", longText, T0 + Minute + 5000, agentId: "t1-bob");

        var rows = await Records.ListAsync("t1", All, null, 10, default);
        Assert.Equal(["c-new", "c-old"], Ids(rows));
        var row = rows[0];
        Assert.Equal(("openid-9", T0 + Minute, "广东 深圳"), (row.VisitorId, row.CreatedAt, row.Region));
        Assert.Equal(("t1-shop", "旗舰店", "t1-g", "售后", "t1-bob", "Bob"), (row.AccountId, row.AccountName, row.GroupId, row.GroupName, row.AgentId, row.AgentName));
        Assert.Equal(("t1-wx", "公众号", "wechat"), (row.ChannelId, row.ChannelName, row.ChannelKind));
        // The last message by number, its content cut one character past the preview (so the reader knows it was cut).
        Assert.Equal(("text", T0 + Minute + 5000), (row.LastKind, row.LastSentAt));
        Assert.Equal(longText[..(RecordStore.PreviewLength + 1)], row.LastContent);
        // Without an account, a channel or messages those stay empty.
        Assert.Equal((null, null, null, null, "Ann"), (rows[1].AccountId, rows[1].ChannelId, rows[1].LastKind, rows[1].LastContent, rows[1].AgentName));
    }

    [Fact]
    public async Task DB6_AS8_The_list_filters_by_account_agent_group_and_creation_range_with_to_excluded_and_never_shows_another_tenant()
    {
        var t = await TenantAsync();
        await t.ConversationAsync("c1", T0, agentId: "t1-ann", accountId: "t1-shop");
        await t.ConversationAsync("c2", T0 + Minute, agentId: "t1-bob", accountId: "t1-shop");
        await t.ConversationAsync("c3", T0 + 2 * Minute, agentId: "t1-ann", groupId: "t1-g");
        await t.ConversationAsync("c4", T0 + 3 * Minute);
        var other = await TenantAsync("t2");
        await other.ConversationAsync("x1", T0 + Minute, agentId: "t2-ann", accountId: "t2-shop");

        Assert.Equal(["c4", "c3", "c2", "c1"], Ids(await Records.ListAsync("t1", All, null, 10, default)));
        Assert.Equal(["c2", "c1"], Ids(await Records.ListAsync("t1", new RecordFilter(AccountId: "t1-shop"), null, 10, default)));
        Assert.Equal(["c3", "c1"], Ids(await Records.ListAsync("t1", new RecordFilter(AgentId: "t1-ann"), null, 10, default)));
        Assert.Equal(["c1"], Ids(await Records.ListAsync("t1", new RecordFilter(AgentId: "t1-ann", AccountId: "t1-shop"), null, 10, default)));
        Assert.Equal(["c3", "c2"], Ids(await Records.ListAsync("t1", new RecordFilter(From: T0 + Minute, To: T0 + 3 * Minute), null, 10, default)));
        Assert.Equal(["c4"], Ids(await Records.ListAsync("t1", new RecordFilter(From: T0 + 3 * Minute), null, 10, default)));
        // AS-8's filter by skill group, for an agent's own records.
        Assert.Equal(["c3"], Ids(await Records.ListAsync("t1", new RecordFilter(ServedBy: "t1-ann", GroupId: "t1-g"), null, 10, default)));
        Assert.Empty(await Records.ListAsync("t1", new RecordFilter(ServedBy: "t1-bob", GroupId: "t1-g"), null, 10, default));
        Assert.Empty(await Records.ListAsync("t1", new RecordFilter(AccountId: "t2-shop"), null, 10, default));
        Assert.Null(await Records.RecordAsync("t1", "x1", null, default));
    }

    [Fact]
    public async Task DB6_Keyset_pages_neither_lose_nor_repeat_a_record_when_many_share_a_creation_time()
    {
        var t = await TenantAsync();
        string[] ids = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"];
        for (var i = 0; i < ids.Length; i++) await t.ConversationAsync(ids[i], i < 2 ? T0 : T0 + Minute, agentId: i % 2 == 0 ? "t1-ann" : "t1-bob");

        foreach (var filter in new[] { All, new RecordFilter(ServedBy: "t1-ann") })
        {
            var expected = Ids(await Records.ListAsync("t1", filter, null, 100, default));
            var seen = new List<string>();
            RecordKey? after = null;
            while (true)
            {
                var page = await Records.ListAsync("t1", filter, after, 3, default);
                seen.AddRange(Ids(page));
                if (page.Count < 3) break;
                after = new RecordKey(page[^1].CreatedAt, page[^1].Id);
            }
            Assert.Equal(expected, seen);
            Assert.Equal(expected.Length, seen.Distinct().Count());
        }
        Assert.Equal(ids.Length, (await Records.ListAsync("t1", All, null, 100, default)).Count);
        // Newest first, and within one creation time by id, descending.
        Assert.Equal(["k", "j", "i"], Ids(await Records.ListAsync("t1", All, null, 3, default)));
        Assert.Equal(ids.Length, await CountAsync(Records.AllAsync("t1", All, 4, default)));
    }

    [Fact]
    public async Task AS8_An_agent_sees_only_the_records_and_messages_of_conversations_they_served()
    {
        var t = await TenantAsync();
        await t.ConversationAsync("mine", T0, agentId: "t1-ann");
        await t.ConversationAsync("theirs", T0 + Minute, agentId: "t1-bob");
        await t.ConversationAsync("queued", T0 + 2 * Minute);
        await t.MessageAsync("mine", 1, "visitor", "退款 please", T0 + 1000);
        await t.MessageAsync("theirs", 1, "visitor", "退款 now", T0 + Minute + 1000);
        await t.MessageAsync("queued", 1, "visitor", "退款?", T0 + 2 * Minute + 1000);

        var ann = new RecordFilter(ServedBy: "t1-ann");
        Assert.Equal(["mine"], Ids(await Records.ListAsync("t1", ann, null, 10, default)));
        // Naming another agent does not widen what the caller sees.
        Assert.Empty(await Records.ListAsync("t1", ann with { AgentId = "t1-bob" }, null, 10, default));
        Assert.NotNull(await Records.RecordAsync("t1", "mine", "t1-ann", default));
        Assert.Null(await Records.RecordAsync("t1", "theirs", "t1-ann", default));
        Assert.Null(await Records.RecordAsync("t1", "queued", "t1-ann", default));
        Assert.NotNull(await Records.RecordAsync("t1", "theirs", null, default));

        Assert.Equal(["mine#1"], Keys(await Records.SearchMessagesAsync("t1", Range() with { Text = "退款", ServedBy = "t1-ann" }, null, 10, default)));
        Assert.Empty(await Records.SearchMessagesAsync("t1", Range() with { Text = "退款", ServedBy = "t1-ann", ConversationId = "theirs" }, null, 10, default));
        Assert.Equal(3, (await Records.SearchMessagesAsync("t1", Range() with { Text = "退款" }, null, 10, default)).Count);
    }

    [Fact]
    public async Task DB7_A_record_has_its_agent_account_group_region_source_times_status_and_the_DB3_first_response()
    {
        var t = await TenantAsync();
        await t.ConversationAsync("c", T0, agentId: "t1-ann", accountId: "t1-shop", groupId: "t1-g", channelId: "t1-wx", region: "上海",
            answeredAt: T0 + 2000, endedAt: T0 + 10 * Minute, endReason: "AgentEnded");
        await t.MessageAsync("c", 1, "system", "您好，欢迎光临！", T0 + 100);
        await t.MessageAsync("c", 2, "visitor", "我想退款", T0 + 1000);
        await t.MessageAsync("c", 3, "visitor", "在吗", T0 + 20_000);
        await t.MessageAsync("c", 4, "agent", "您好，我看一下", T0 + 31_000, agentId: "t1-ann");
        await t.MessageAsync("c", 5, "agent", "好了", T0 + 90_000, agentId: "t1-ann");

        var row = await Records.RecordAsync("t1", "c", null, default);
        Assert.NotNull(row);
        Assert.Equal(("Ann", "旗舰店", "售后", "上海", "公众号", "wechat"), (row.AgentName, row.AccountName, row.GroupName, row.Region, row.ChannelName, row.ChannelKind));
        Assert.Equal(("Completed", "AgentEnded", T0, T0 + 2000, T0 + 10 * Minute), (row.Status, row.EndReason, row.CreatedAt, row.AnsweredAt, row.EndedAt));
        Assert.Equal(("好了", T0 + 90_000), (row.LastContent, row.LastSentAt!.Value));

        // DB-3: from the customer's first message to the agent's first reply; the greeting is no one's.
        var first = ReplyMetrics.FirstResponseOf(await Records.FirstMessagesAsync("t1", "c", default));
        Assert.Equal(TimeSpan.FromSeconds(30), first.Wait);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(T0 + 31_000), first.ReplyAt);

        // None when nobody replied, nor when the agent wrote first.
        await t.ConversationAsync("unanswered", T0, agentId: "t1-ann");
        await t.MessageAsync("unanswered", 1, "visitor", "hello?", T0 + 1000);
        Assert.Null(ReplyMetrics.FirstResponseOf(await Records.FirstMessagesAsync("t1", "unanswered", default)).Wait);
        await t.ConversationAsync("outbound", T0, agentId: "t1-ann");
        await t.MessageAsync("outbound", 1, "agent", "您好", T0 + 1000, agentId: "t1-ann");
        await t.MessageAsync("outbound", 2, "visitor", "hi", T0 + 2000);
        await t.MessageAsync("outbound", 3, "agent", "有什么可以帮您", T0 + 3000, agentId: "t1-ann");
        Assert.Null(ReplyMetrics.FirstResponseOf(await Records.FirstMessagesAsync("t1", "outbound", default)).Wait);
    }

    [Fact]
    public async Task DB7_The_message_search_finds_text_anywhere_Chinese_included_and_Latin_letters_in_any_case()
    {
        var t = await TenantAsync();
        await t.ConversationAsync("c", T0, agentId: "t1-ann");
        await t.MessageAsync("c", 1, "visitor", "我想退款", T0 + 1000);
        await t.MessageAsync("c", 2, "agent", "退款已经处理", T0 + 2000, agentId: "t1-ann");
        await t.MessageAsync("c", 3, "visitor", "Refund my ORDER please", T0 + 3000);
        await t.MessageAsync("c", 4, "visitor", "谢谢", T0 + 4000);

        Assert.Equal(["c#2", "c#1"], Keys(await Records.SearchMessagesAsync("t1", Range() with { Text = "退款" }, null, 10, default)));
        Assert.Equal(["c#3"], Keys(await Records.SearchMessagesAsync("t1", Range() with { Text = "refund MY order" }, null, 10, default)));
        Assert.Equal(["c#3"], Keys(await Records.SearchMessagesAsync("t1", Range() with { Text = "ORDER" }, null, 10, default)));
        Assert.Empty(await Records.SearchMessagesAsync("t1", Range() with { Text = "退货" }, null, 10, default));
        var hit = (await Records.SearchMessagesAsync("t1", Range() with { Text = "已经" }, null, 10, default)).Single();
        Assert.Equal(("c", 2L, "agent", "text", "退款已经处理", T0 + 2000, "t1-ann", "Ann"),
            (hit.ConversationId, hit.Seq, hit.SenderKind, hit.Kind, hit.Content, hit.SentAt, hit.AgentId, hit.AgentName));
    }

    [Fact]
    public async Task DB7_The_message_search_takes_percent_underscore_and_backslash_literally()
    {
        var t = await TenantAsync();
        await t.ConversationAsync("c", T0, agentId: "t1-ann");
        string[] texts = ["50% off", "5000 off", "order_no 1", "orderXno 2", @"C:\temp", "C:temp"];
        for (var i = 0; i < texts.Length; i++) await t.MessageAsync("c", i + 1, "visitor", texts[i], T0 + i);

        async Task<string[]> FoundAsync(string q)
            => [.. (await Records.SearchMessagesAsync("t1", Range() with { Text = q }, null, 10, default)).Select(m => m.Content).Order(StringComparer.Ordinal)];
        Assert.Equal(["50% off"], await FoundAsync("%"));
        Assert.Equal(["50% off"], await FoundAsync("0% o"));
        Assert.Equal(["order_no 1"], await FoundAsync("_"));
        Assert.Equal(["order_no 1"], await FoundAsync("r_n"));
        Assert.Equal([@"C:\temp"], await FoundAsync(@"\"));
        Assert.Equal([@"C:\temp"], await FoundAsync(@":\t"));
    }

    [Fact]
    public async Task DB7_The_message_search_filters_by_time_with_to_excluded_kind_agent_and_conversation_and_pages_newest_first()
    {
        var t = await TenantAsync();
        await t.ConversationAsync("ann1", T0, agentId: "t1-ann");
        await t.ConversationAsync("ann2", T0, agentId: "t1-ann");
        await t.ConversationAsync("bob1", T0, agentId: "t1-bob");
        // Three conversations with messages at the same instants: the cursor's conversation and number break ties.
        foreach (var c in new[] { "ann1", "ann2", "bob1" })
        {
            await t.MessageAsync(c, 1, "visitor", "question", T0 + Minute);
            await t.MessageAsync(c, 2, "agent", "answer", T0 + 2 * Minute, agentId: c.StartsWith("ann", StringComparison.Ordinal) ? "t1-ann" : "t1-bob");
            await t.MessageAsync(c, 3, "visitor", "https://media.example/1.png", T0 + 2 * Minute, kind: "image");
        }
        var other = await TenantAsync("t2");
        await other.ConversationAsync("t2c", T0, agentId: "t2-ann");
        await other.MessageAsync("t2c", 1, "visitor", "question", T0 + Minute);

        var all = Keys(await Records.SearchMessagesAsync("t1", Range(), null, 100, default));
        Assert.Equal(["bob1#3", "bob1#2", "ann2#3", "ann2#2", "ann1#3", "ann1#2", "bob1#1", "ann2#1", "ann1#1"], all);
        // The agent's conversations: the customer's messages in them as well as the agent's own.
        Assert.Equal(["ann2#3", "ann2#2", "ann1#3", "ann1#2", "ann2#1", "ann1#1"], Keys(await Records.SearchMessagesAsync("t1", Range() with { AgentId = "t1-ann" }, null, 100, default)));
        Assert.Equal(["bob1#3", "ann2#3", "ann1#3"], Keys(await Records.SearchMessagesAsync("t1", Range() with { Kind = "image" }, null, 100, default)));
        Assert.Equal(["ann2#2", "ann2#1"], Keys(await Records.SearchMessagesAsync("t1", Range() with { Kind = "text", ConversationId = "ann2" }, null, 100, default)));
        // [from, to): a message at to is out, one at from is in.
        Assert.Equal(["bob1#1", "ann2#1", "ann1#1"], Keys(await Records.SearchMessagesAsync("t1", Range(T0 + Minute, T0 + 2 * Minute), null, 100, default)));
        Assert.Empty(await Records.SearchMessagesAsync("t1", Range(T0, T0 + Minute), null, 100, default));

        var seen = new List<string>();
        MessageKey? after = null;
        while (true)
        {
            var page = await Records.SearchMessagesAsync("t1", Range(), after, 2, default);
            seen.AddRange(Keys(page));
            if (page.Count < 2) break;
            after = new MessageKey(page[^1].SentAt, page[^1].ConversationId, page[^1].Seq);
        }
        Assert.Equal(all, seen);
    }

    private static async Task<int> CountAsync<T>(IAsyncEnumerable<T> items)
    {
        var count = 0;
        await foreach (var _ in items) count++;
        return count;
    }
}

public sealed class RecordStoreOnSqliteTests() : RecordStoreContract(StoreKind.Sqlite);

public sealed class RecordStoreOnPostgresTests() : RecordStoreContract(StoreKind.Postgres);
