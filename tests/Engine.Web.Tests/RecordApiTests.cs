using System.Net;
using System.Text.Json.Nodes;
using Engine.Persistence;
using Engine.Tests.Persistence;
using Engine.Web.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using MiniExcelLibs;

namespace Engine.Web.Tests;

/// <summary>
/// The records API (DB-6 list and export, DB-7 detail, messages and message search, AS-8 an agent's own) on the real
/// server on Kestrel. The history is hand-made in the server's store (the engine does not write a conversation's
/// account, channel and region yet), beside one conversation the engine itself served.
/// </summary>
public sealed class RecordApiTests(KestrelEngineFactory factory) : IClassFixture<KestrelEngineFactory>
{
    private sealed record Desk(TestTenant Tenant, string Ann, ApiClient AnnApi, string Bob, ApiClient BobApi, string Group, string Shop, string Channel, long Now) : IDisposable
    {
        public string CAnn => Conversation("ann", Tenant.Id);

        public string CBob => Conversation("bob", Tenant.Id);

        public string CQueued => Conversation("queued", Tenant.Id);

        /// <summary>A hand-made conversation's id, the tenant's own: messages are keyed by conversation id alone.</summary>
        public static string Conversation(string name, string tenantId) => $"c-{name}-{tenantId}";

        public string Records => $"{Tenant.Base}/records";

        public void Dispose()
        {
            AnnApi.Dispose();
            BobApi.Dispose();
            Tenant.Dispose();
        }
    }

    /// <summary>
    /// A tenant with agents Ann and Bob, a group, the account 旗舰店 and a WeChat channel; Ann served c-ann (through the
    /// account and channel, from 上海) an hour ago, Bob served c-bob two hours ago, and nobody c-queued, three hours ago.
    /// </summary>
    private async Task<Desk> DeskAsync()
    {
        _ = factory.Address;
        var tenant = await TestTenant.CreateAsync(factory);
        var group = await tenant.AddGroupAsync(name: "售后");
        var (ann, _, _, annToken) = await tenant.AddAgentAsync([group]);
        var (bob, _, _, bobToken) = await tenant.AddAgentAsync([group]);
        var shop = (string)(await tenant.Admin.PostOkAsync($"{tenant.Base}/marketing-accounts", new { name = "旗舰店" }))["id"]!;
        var channel = (string)(await tenant.Admin.PostOkAsync($"{tenant.Base}/channels", new { kind = "wechat", name = "公众号", appId = "wx1234567890" }))["channel"]!["id"]!;
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var history = new HandMadeHistory(factory.Services.GetRequiredService<Database>(), tenant.Id);
        var (cAnn, cBob, cQueued) = (Desk.Conversation("ann", tenant.Id), Desk.Conversation("bob", tenant.Id), Desk.Conversation("queued", tenant.Id));
        const long hour = 3_600_000;
        await history.ConversationAsync(cAnn, now - hour, agentId: ann, accountId: shop, groupId: group, channelId: channel, region: "上海", visitorId: "openid-ann",
            answeredAt: now - hour + 5000, endedAt: now - hour + 600_000, endReason: "AgentEnded");
        await history.MessageAsync(cAnn, 1, "visitor", "我想退款", now - hour + 1000);
        await history.MessageAsync(cAnn, 2, "agent", "好的，订单号是多少？", now - hour + 21_000, agentId: ann);
        await history.MessageAsync(cAnn, 3, "visitor", "https://media.example/order.png", now - hour + 40_000, kind: "image");
        await history.ConversationAsync(cBob, now - 2 * hour, agentId: bob, groupId: group, visitorId: "openid-bob");
        await history.MessageAsync(cBob, 1, "visitor", "退款怎么申请", now - 2 * hour + 1000);
        await history.ConversationAsync(cQueued, now - 3 * hour, groupId: group, visitorId: "openid-q", status: "Queued");
        return new Desk(tenant, ann, ApiClient.Bearer(factory, annToken), bob, ApiClient.Bearer(factory, bobToken), group, shop, channel, now);
    }

    private static string[] Ids(JsonNode page) => [.. page["items"]!.AsArray().Select(r => (string)r!["conversationId"]!)];

    [Fact]
    public async Task DB6_AS8_An_agent_lists_only_the_records_they_served_and_an_admin_all_of_the_tenants()
    {
        using var desk = await DeskAsync();
        // One conversation served by the engine itself: Ann answers it and writes.
        await desk.AnnApi.OkAsync(HttpMethod.Put, $"{desk.Tenant.Base}/me/presence", new { presence = "online" });
        var live = (string)(await desk.Tenant.Admin.PostOkAsync($"{desk.Tenant.Base}/conversations", new { skillGroupId = desk.Group, visitorId = "v-live", mode = "online" }))["id"]!;
        await desk.AnnApi.PostOkAsync($"{desk.Tenant.Base}/conversations/{live}/answer");
        await desk.AnnApi.PostOkAsync($"{desk.Tenant.Base}/conversations/{live}/messages", new { text = "您好，请讲", clientMessageId = "m-1" });

        var mine = await desk.AnnApi.GetOkAsync(desk.Records);
        Assert.Equal([live, desk.CAnn], Ids(mine));
        Assert.Null(mine["next"]);
        var served = mine["items"]![0]!;
        Assert.Equal(("v-live", "online", desk.Ann), ((string)served["customer"]!, (string)served["mode"]!, (string)served["agent"]!["id"]!));
        Assert.Equal(("text", "您好，请讲"), ((string)served["lastMessage"]!["kind"]!, (string)served["lastMessage"]!["preview"]!));
        var row = mine["items"]![1]!;
        Assert.Equal(("openid-ann", "上海"), ((string)row["customer"]!, (string)row["region"]!));
        Assert.Equal((desk.Shop, "旗舰店"), ((string)row["account"]!["id"]!, (string)row["account"]!["name"]!));
        Assert.Equal((desk.Group, "售后"), ((string)row["skillGroup"]!["id"]!, (string)row["skillGroup"]!["name"]!));
        Assert.StartsWith("Agent ", (string)row["agent"]!["name"]!, StringComparison.Ordinal);
        Assert.Equal((desk.Channel, "公众号", "wechat"), ((string)row["channel"]!["id"]!, (string)row["channel"]!["name"]!, (string)row["channel"]!["kind"]!));
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(desk.Now - 3_600_000), DateTimeOffset.Parse((string)row["startedAt"]!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(("image", "https://media.example/order.png"), ((string)row["lastMessage"]!["kind"]!, (string)row["lastMessage"]!["preview"]!));

        // Naming another agent shows an agent nothing more; Bob sees his own.
        Assert.Empty(Ids(await desk.AnnApi.GetOkAsync($"{desk.Records}?agentId={desk.Bob}")));
        Assert.Equal([desk.CBob], Ids(await desk.BobApi.GetOkAsync(desk.Records)));

        // The admin sees the tenant's, filtered by account, agent and creation range (to excluded), a page at a time.
        Assert.Equal([live, desk.CAnn, desk.CBob, desk.CQueued], Ids(await desk.Tenant.Admin.GetOkAsync(desk.Records)));
        Assert.Equal([desk.CAnn], Ids(await desk.Tenant.Admin.GetOkAsync($"{desk.Records}?accountId={desk.Shop}")));
        Assert.Equal([desk.CBob], Ids(await desk.Tenant.Admin.GetOkAsync($"{desk.Records}?agentId={desk.Bob}")));
        var from = Uri.EscapeDataString(DateTimeOffset.FromUnixTimeMilliseconds(desk.Now - 3 * 3_600_000).ToString("O"));
        var to = Uri.EscapeDataString(DateTimeOffset.FromUnixTimeMilliseconds(desk.Now - 3_600_000).ToString("O"));
        Assert.Equal([desk.CBob, desk.CQueued], Ids(await desk.Tenant.Admin.GetOkAsync($"{desk.Records}?from={from}&to={to}")));
        var first = await desk.Tenant.Admin.GetOkAsync($"{desk.Records}?limit=3");
        Assert.Equal([live, desk.CAnn, desk.CBob], Ids(first));
        var rest = await desk.Tenant.Admin.GetOkAsync($"{desk.Records}?limit=3&after={Uri.EscapeDataString((string)first["next"]!)}");
        Assert.Equal([desk.CQueued], Ids(rest));
        Assert.Null(rest["next"]);
    }

    [Fact]
    public async Task DB7_A_record_shows_its_source_and_first_response_and_its_messages_by_number_and_an_agent_sees_only_their_own()
    {
        using var desk = await DeskAsync();
        var detail = await desk.AnnApi.GetOkAsync($"{desk.Records}/{desk.CAnn}");
        Assert.Equal((desk.CAnn, "openid-ann", "Completed", "AgentEnded", "上海"),
            ((string)detail["conversationId"]!, (string)detail["customer"]!, (string)detail["status"]!, (string)detail["endReason"]!, (string)detail["region"]!));
        Assert.Equal((desk.Ann, "旗舰店", "售后"), ((string)detail["agent"]!["id"]!, (string)detail["account"]!["name"]!, (string)detail["skillGroup"]!["name"]!));
        Assert.Equal(("公众号", "wechat"), ((string)detail["source"]!["name"]!, (string)detail["source"]!["kind"]!));
        // DB-3: the customer wrote at +1 s, Ann replied at +21 s.
        Assert.Equal(20.0, (double)detail["firstResponseSeconds"]!);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(desk.Now - 3_600_000 + 21_000), DateTimeOffset.Parse((string)detail["firstResponseAt"]!, System.Globalization.CultureInfo.InvariantCulture));
        // Nobody replied to Bob's customer: no first response.
        Assert.Null((await desk.Tenant.Admin.GetOkAsync($"{desk.Records}/{desk.CBob}"))["firstResponseSeconds"]);

        var page = await desk.AnnApi.GetOkAsync($"{desk.Records}/{desk.CAnn}/messages?limit=2");
        Assert.Equal([1L, 2L], page["items"]!.AsArray().Select(m => (long)m!["seq"]!));
        Assert.Equal(("visitor", "我想退款"), ((string)page["items"]![0]!["sender"]!, (string)page["items"]![0]!["content"]!));
        Assert.Equal(2L, (long)page["next"]!);
        var rest = await desk.AnnApi.GetOkAsync($"{desk.Records}/{desk.CAnn}/messages?after=2&limit=2");
        Assert.Equal([3L], rest["items"]!.AsArray().Select(m => (long)m!["seq"]!));
        Assert.Null(rest["next"]);

        // Another agent's record, one nobody served, or none at all: not found, detail and messages alike.
        foreach (var path in new[] { desk.CBob, desk.CQueued, "nope" })
        {
            await ApiClient.ProblemAsync(await desk.AnnApi.GetAsync($"{desk.Records}/{path}"), HttpStatusCode.NotFound);
            await ApiClient.ProblemAsync(await desk.AnnApi.GetAsync($"{desk.Records}/{path}/messages"), HttpStatusCode.NotFound);
        }
        await ApiClient.ProblemAsync(await desk.Tenant.Admin.GetAsync($"{desk.Records}/nope"), HttpStatusCode.NotFound);
        Assert.Equal(desk.CQueued, (string)(await desk.Tenant.Admin.GetOkAsync($"{desk.Records}/{desk.CQueued}"))["conversationId"]!);
    }

    [Fact]
    public async Task DB7_The_message_search_finds_Chinese_text_in_the_last_7_days_by_default_within_what_the_caller_may_see()
    {
        using var desk = await DeskAsync();
        var history = new HandMadeHistory(factory.Services.GetRequiredService<Database>(), desk.Tenant.Id);
        const long day = 86_400_000;
        var old = Desk.Conversation("old", desk.Tenant.Id);
        await history.ConversationAsync(old, desk.Now - 10 * day, agentId: desk.Ann);
        await history.MessageAsync(old, 1, "visitor", "上次的退款", desk.Now - 10 * day);

        var search = $"{desk.Records}/messages";
        var found = await desk.Tenant.Admin.GetOkAsync($"{search}?q={Uri.EscapeDataString("退款")}");
        var hits = found["items"]!.AsArray();
        Assert.Equal([$"{desk.CAnn}#1", $"{desk.CBob}#1"], hits.Select(h => $"{h!["conversationId"]}#{h["seq"]}"));
        Assert.Equal(("visitor", "我想退款", "text", desk.Ann), ((string)hits[0]!["sender"]!, (string)hits[0]!["content"]!, (string)hits[0]!["kind"]!, (string)hits[0]!["agent"]!["id"]!));
        var range = DateTimeOffset.Parse((string)found["to"]!, System.Globalization.CultureInfo.InvariantCulture)
            - DateTimeOffset.Parse((string)found["from"]!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(TimeSpan.FromDays(7), range);

        // An older message is found when the range is asked for.
        var from = Uri.EscapeDataString(DateTimeOffset.FromUnixTimeMilliseconds(desk.Now - 11 * day).ToString("O"));
        var to = Uri.EscapeDataString(DateTimeOffset.FromUnixTimeMilliseconds(desk.Now - 9 * day).ToString("O"));
        Assert.Single((await desk.Tenant.Admin.GetOkAsync($"{search}?q={Uri.EscapeDataString("退款")}&from={from}&to={to}"))["items"]!.AsArray());

        // Ann finds only what was said in conversations she served; kind and agent narrow it; pages follow the cursor.
        Assert.Equal([desk.CAnn], (await desk.AnnApi.GetOkAsync($"{search}?q={Uri.EscapeDataString("退款")}"))["items"]!.AsArray().Select(h => (string)h!["conversationId"]!));
        Assert.Equal([3L], (await desk.Tenant.Admin.GetOkAsync($"{search}?kind=image"))["items"]!.AsArray().Select(h => (long)h!["seq"]!));
        Assert.Equal([desk.CBob], (await desk.Tenant.Admin.GetOkAsync($"{search}?agentId={desk.Bob}"))["items"]!.AsArray().Select(h => (string)h!["conversationId"]!));
        var first = await desk.Tenant.Admin.GetOkAsync($"{search}?conversationId={desk.CAnn}&limit=2");
        Assert.Equal([3L, 2L], first["items"]!.AsArray().Select(h => (long)h!["seq"]!));
        var rest = await desk.Tenant.Admin.GetOkAsync($"{search}?conversationId={desk.CAnn}&limit=2&after={Uri.EscapeDataString((string)first["next"]!)}");
        Assert.Equal([1L], rest["items"]!.AsArray().Select(h => (long)h!["seq"]!));
        Assert.Null(rest["next"]);
    }

    [Fact]
    public async Task Bad_input_is_a_problem_naming_the_field_and_another_tenant_or_the_operator_gets_404_or_403()
    {
        using var desk = await DeskAsync();
        var admin = desk.Tenant.Admin;
        var (list, search) = (desk.Records, $"{desk.Records}/messages");
        Assert.Contains("cursor", await ApiClient.FieldErrorAsync(await admin.GetAsync($"{list}?after=not-a-cursor"), "after"), StringComparison.Ordinal);
        await ApiClient.FieldErrorAsync(await admin.GetAsync($"{list}?from=2026-01-02T00:00:00Z&to=2026-01-02T00:00:00Z"), "to");
        await ApiClient.FieldErrorAsync(await admin.GetAsync($"{list}?limit=0"), "limit");
        await ApiClient.FieldErrorAsync(await admin.GetAsync($"{list}?limit=201"), "limit");
        await ApiClient.FieldErrorAsync(await admin.GetAsync($"{list}/export.xlsx?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z"), "to");
        await ApiClient.FieldErrorAsync(await admin.GetAsync($"{search}?kind=video"), "kind");
        Assert.Contains("31 days", await ApiClient.FieldErrorAsync(await admin.GetAsync($"{search}?from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:01Z"), "to"), StringComparison.Ordinal);
        await ApiClient.FieldErrorAsync(await admin.GetAsync($"{search}?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z"), "to");
        await ApiClient.FieldErrorAsync(await admin.GetAsync($"{search}?after=1~c"), "after");
        await ApiClient.FieldErrorAsync(await admin.GetAsync($"{search}?q={new string('x', 101)}"), "q");
        await ApiClient.FieldErrorAsync(await admin.GetAsync($"{search}?limit=500"), "limit");
        await ApiClient.FieldErrorAsync(await admin.GetAsync($"{list}/{desk.CAnn}/messages?after=-1"), "after");
        await ApiClient.FieldErrorAsync(await admin.GetAsync($"{list}/{desk.CAnn}/messages?limit=0"), "limit");
        // 31 days exactly pass.
        Assert.Empty((await admin.GetOkAsync($"{search}?from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z"))["items"]!.AsArray());

        using var other = await TestTenant.CreateAsync(factory);
        var (_, _, _, strangerToken) = await other.AddAgentAsync();
        using var stranger = ApiClient.Bearer(factory, strangerToken);
        using var op = await ApiClient.SignInAsync(factory, EngineFactory.OperatorEmail, EngineFactory.OperatorPassword);
        foreach (var path in new[] { "", "/export.xlsx", "/messages", "/" + desk.CAnn, $"/{desk.CAnn}/messages" })
        {
            await ApiClient.ProblemAsync(await other.Admin.GetAsync(list + path), HttpStatusCode.NotFound);
            await ApiClient.ProblemAsync(await stranger.GetAsync(list + path), HttpStatusCode.NotFound);
            await ApiClient.ProblemAsync(await op.GetAsync(list + path), HttpStatusCode.Forbidden);
        }
    }

    [Fact]
    public async Task DB6_The_export_is_an_xlsx_attachment_with_the_header_and_the_list_rows_as_the_caller_may_see_them()
    {
        using var desk = await DeskAsync();
        using var response = await desk.Tenant.Admin.GetAsync($"{desk.Records}/export.xlsx");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", response.Content.Headers.ContentType?.MediaType);
        var disposition = response.Content.Headers.ContentDisposition;
        Assert.Equal("attachment", disposition?.DispositionType);
        Assert.Matches(@"^records-\d{8}-\d{6}\.xlsx$", disposition?.FileNameStar ?? disposition?.FileName?.Trim('"'));
        // Written as it is read: the response announces no length up front but comes in chunks.
        Assert.True(response.Headers.TransferEncodingChunked);
        var rows = await Sheets.ReadAsync(response);
        Assert.Equal(
            ["会话ID", "客户", "账号", "技能组", "坐席", "开始时间 (Asia/Shanghai)", "最后消息类型", "最后消息", "最后消息时间 (Asia/Shanghai)", "渠道", "渠道类型", "地区"],
            rows[0]);
        Assert.Equal([desk.CAnn, desk.CBob, desk.CQueued], rows.Skip(1).Select(r => r[0]));
        var ann = rows[1];
        Assert.Equal(("openid-ann", "旗舰店", "售后", "image", "公众号", "wechat", "上海"), (ann[1], ann[2], ann[3], ann[6], ann[9], ann[10], ann[11]));
        Assert.StartsWith("Agent ", ann[4], StringComparison.Ordinal);
        // Times are the tenant's (Shanghai, UTC+8) local times.
        var started = TimeZoneInfo.ConvertTime(DateTimeOffset.FromUnixTimeMilliseconds(desk.Now - 3_600_000), TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai")).DateTime;
        Assert.Equal(started.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture), ann[5]);

        // The list's filters apply; an agent exports only what they served.
        using var byAccount = await desk.Tenant.Admin.GetAsync($"{desk.Records}/export.xlsx?accountId={desk.Shop}");
        Assert.Equal([desk.CAnn], (await Sheets.ReadAsync(byAccount)).Skip(1).Select(r => r[0]));
        using var bobs = await desk.BobApi.GetAsync($"{desk.Records}/export.xlsx");
        Assert.Equal([desk.CBob], (await Sheets.ReadAsync(bobs)).Skip(1).Select(r => r[0]));
        using var none = await desk.BobApi.GetAsync($"{desk.Records}/export.xlsx?accountId={desk.Shop}");
        Assert.Equal("会话ID", Assert.Single(await Sheets.ReadAsync(none))[0]);
    }
}
