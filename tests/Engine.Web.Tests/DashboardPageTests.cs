using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Engine.Tests.Persistence;
using Engine.Web.Tests.Support;
using Microsoft.Playwright;
using static Engine.Tests.Persistence.HandMadeHistory;
using static Microsoft.Playwright.Assertions;

namespace Engine.Web.Tests;

/// <summary>
/// The console's dashboard (<c>/console/dashboard</c>, DB-1..DB-7) in Debian's Chromium against the real server, on a
/// hand-made history rolled up by the real roll-up: what the page shows for a period and an account — figures, charts,
/// groups, agents, records — is what the REST API answers for the same query, read by the test beside it. An agent's
/// and an account's names are injection strings, shown as written.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class DashboardPageTests(Browser browser)
{
    private const string AgentPassword = "Agent#2026pw";
    private const string Shop = "旗舰店";
    private const string NewShop = "<b>新店</b>";
    private const string ScriptName = "<img src=x onerror=\"window.__xss=1\">安娜";
    private const string GroupName = "售前咨询";
    private const string Xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    private static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    /// <summary>A time on a day of November 2026 in UTC (08:00 in Shanghai, the tenant's zone, at 00:00 UTC).</summary>
    private static DateTimeOffset Utc(int day, int hour, int minute = 0, int second = 0) => new(2026, 11, day, hour, minute, second, TimeSpan.Zero);

    // The page's formats: counts grouped by thousands, rates as % with one decimal, durations as m:ss, "--" for null.
    private static string Count(JsonNode? n) => ((long)n!).ToString("N0", CultureInfo.InvariantCulture);

    private static string Percent(JsonNode? rate) => rate is null ? "--" : ((double)rate * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%";

    private static string Duration(JsonNode? seconds)
    {
        if (seconds is null) return "--";
        var total = (long)Math.Round((double)seconds, MidpointRounding.AwayFromZero);
        var (hours, minutes, rest) = (total / 3600, total % 3600 / 60, total % 60);
        return hours > 0 ? $"{hours}:{minutes:00}:{rest:00}" : $"{minutes}:{rest:00}";
    }

    /// <summary>Signs in through the page's own form.</summary>
    private static async Task SignInAsync(IPage page, string email, string password)
    {
        await page.FillAsync("#signin input[name=email]", email);
        await page.FillAsync("#signin input[name=password]", password);
        await page.ClickAsync("#signin button[type=submit]");
    }

    private static string Staffed(JsonNode group, Func<JsonNode, string> show) => group["staffing"] is { } s ? show(s) : "--";

    // The records' formats: times in the tenant's zone, something named by its name (its id without one), "--" for none.
    private static string Zoned(JsonNode? at) => at is null ? "--"
        : TimeZoneInfo.ConvertTime(DateTimeOffset.Parse((string)at!, CultureInfo.InvariantCulture), Shanghai).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    private static string NameOf(JsonNode? named) => named is null ? "--" : (string?)named["name"] ?? (string)named["id"]!;

    private static string ChannelOf(JsonNode? channel) => channel is null ? "--" : (string?)channel["name"] ?? (string?)channel["kind"] ?? (string)channel["id"]!;

    private static string[] RecordCells(JsonNode r) =>
    [
        (string)r["customer"]!, (string?)r["account"]?["name"] ?? (string?)r["skillGroup"]?["name"] ?? "--", NameOf(r["agent"]), Zoned(r["startedAt"]),
        r["lastMessage"] is { } m ? (string)m["kind"]! switch { "image" => "[图片 image]", "card" => "[名片 card]", _ => (string)m["preview"]! } : "--",
        ChannelOf(r["channel"]), (string?)r["region"] ?? "--", "详情 Detail",
    ];

    /// <summary>
    /// Two days (7th and 8th, Shanghai) through the account 旗舰店: Ann answers in 1 minute, Bob in 3, Carl only wrote
    /// first (his reply rate is null); a conversation of no account on the 8th; and three handled in the last hour in the
    /// skill group, which give the Erlang-C suggestion its inputs.
    /// </summary>
    private static async Task HistoryAsync(HandMadeHistory history, string shop, string ann, string bob, string carl, string group)
    {
        await history.CompletedAsync("c1", "v1", shop, ann, group, Utc(7, 2), Utc(7, 2, 0, 15), [V(Utc(7, 2)), A(Utc(7, 2, 1)), V(Utc(7, 2, 2))]);
        await history.CompletedAsync("c2", "v2", shop, bob, group, Utc(7, 3), Utc(7, 3, 0, 40), [V(Utc(7, 3)), V(Utc(7, 3, 1)), A(Utc(7, 3, 3))]);
        await history.CompletedAsync("c3", "v3", shop, carl, null, Utc(8, 5), Utc(8, 5), [A(Utc(8, 5)), V(Utc(8, 5, 1))]);
        await history.CompletedAsync("c4", "v4", null, ann, group, Utc(8, 6), Utc(8, 6, 0, 5), [V(Utc(8, 6)), A(Utc(8, 6, 2))]);
        await history.CompletedAsync("c5", "v5", shop, null, group, Utc(8, 7), null, [V(Utc(8, 7))], "CustomerLeft");
        foreach (var (id, visitor, account, at) in new[]
        {
            ("visit-1", "v1", shop, Utc(7, 1, 59)), ("visit-2", "v2", shop, Utc(7, 2, 59)), ("visit-3", "v3", shop, Utc(8, 4, 59)),
            ("visit-4", "v4", null, Utc(8, 5, 59)), ("visit-5", "v5", shop, Utc(8, 6, 59)), ("visit-6", "v6", shop, Utc(8, 9)),
        })
            await history.VisitAsync(id, visitor, account, at);
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < 3; i++)
        {
            var created = now.AddMinutes(-40 + i * 10);
            await history.CompletedAsync("hour-" + i, "hv-" + i, null, ann, group, created, created.AddSeconds(10), [V(created)], endedAt: created.AddSeconds(190));
        }
    }

    /// <summary>The tenant and the admin's page, open on the custom period of the 7th and 8th and the account 旗舰店.</summary>
    private sealed record Desk(
        TestTenant Tenant, IPage Page, List<string> Errors, List<string> Dialogs, string Shop, string NewShop, string Ann, string Carl, string BobEmail, string Open);

    /// <summary>
    /// A tenant with the accounts 旗舰店 and 新店, the group 售前咨询, agents 李娜 (Ann), 王博 (Bob, who signed in once) and
    /// 陈凯 (Carl), the history rolled up; the admin signs in on the page (after finding the sign-in form there) and picks
    /// the custom period of the 7th and 8th and 旗舰店. The page records what the Content Security Policy refuses.
    /// </summary>
    private async Task<Desk> DeskAsync()
    {
        var factory = browser.Server;
        var tenant = await TestTenant.CreateAsync(factory);
        var shop = (string)(await tenant.Admin.PostOkAsync($"{tenant.Base}/marketing-accounts", new { name = Shop }))["id"]!;
        var newShop = (string)(await tenant.Admin.PostOkAsync($"{tenant.Base}/marketing-accounts", new { name = NewShop }))["id"]!;
        var group = await tenant.AddGroupAsync(name: GroupName);
        var (ann, _, _, _) = await tenant.AddAgentAsync([group]);
        var (bob, bobEmail, bobInitial, _) = await tenant.AddAgentAsync([group]);
        var (carl, _, _, _) = await tenant.AddAgentAsync();
        foreach (var (id, name) in new[] { (ann, "李娜"), (bob, "王博"), (carl, "陈凯") })
            await tenant.Admin.OkAsync(HttpMethod.Patch, $"{tenant.Base}/agents/{id}", new { name });
        using (await ApiClient.SignInAsync(factory, bobEmail, bobInitial, AgentPassword)) { }
        var history = factory.HistoryOf(tenant.Id);
        await HistoryAsync(history, shop, ann, bob, carl, group);
        var open = await OpenConversationsAsync(history, shop, newShop, ann);
        await factory.RollUpAsync();

        var errors = new List<string>();
        var dialogs = new List<string>();
        var page = await browser.PageAsync(errors);
        page.Dialog += (_, dialog) => { lock (dialogs) dialogs.Add(dialog.Message); _ = dialog.DismissAsync(); };
        // What the Content Security Policy refuses (an inline style Chart.js might set, an eval) is recorded by the page itself.
        await page.AddInitScriptAsync("window.__refused = []; document.addEventListener('securitypolicyviolation', e => window.__refused.push(`${e.violatedDirective} ${e.blockedURI}`));");

        // Signed out: the sign-in form, no figures.
        await page.GotoAsync("/console/dashboard");
        await Expect(page.Locator("#signin")).ToBeVisibleAsync();
        await Expect(page.Locator("#figures")).ToHaveCountAsync(0);
        await SignInAsync(page, tenant.AdminEmail, tenant.AdminPassword);
        await Expect(page.Locator("main")).ToHaveAttributeAsync("data-state", "ready");
        await Expect(page.Locator("#account option")).ToHaveTextAsync(["全部账号 All accounts", Shop, NewShop]);

        // A custom period (the 7th and the 8th) and the account 旗舰店.
        await page.SelectOptionAsync("#period", "custom");
        await page.FillAsync("#from", "2026-11-07");
        await page.FillAsync("#to", "2026-11-08");
        await page.SelectOptionAsync("#account", new SelectOptionValue { Label = Shop });
        await Expect(page.Locator("#caption")).ToHaveTextAsync($"2026-11-07 – 2026-11-08 · {Shop} · Asia/Shanghai");
        await Expect(page.Locator("main")).ToHaveAttributeAsync("data-state", "ready");
        return new Desk(tenant, page, errors, dialogs, shop, newShop, ann, carl, bobEmail, open);
    }

    /// <summary>
    /// Conversations still open, so not on the dashboard yet (a conversation counts once completed), but in the records:
    /// one of 旗舰店's on the 8th through the channel 公众号 from 广东, answered 20 s after the customer wrote (its id is
    /// returned), and 23 of 新店's, one page and a bit of the records list.
    /// </summary>
    private static async Task<string> OpenConversationsAsync(HandMadeHistory history, string shop, string newShop, string ann)
    {
        var channel = $"{history.TenantId}-wx";
        await history.ChannelAsync(channel, "公众号", "wechat");
        var open = $"{history.TenantId}-open";
        await history.MessageAsync(open, 1, "visitor", "我想退款", Utc(8, 10).ToUnixTimeMilliseconds());
        await history.MessageAsync(open, 2, "agent", "好的，订单号是多少？", Utc(8, 10, 0, 20).ToUnixTimeMilliseconds(), ann);
        await history.ConversationAsync(open, Utc(8, 10).ToUnixTimeMilliseconds(), ann, shop, channelId: channel, region: "广东", visitorId: "openid-42",
            status: "Active", answeredAt: Utc(8, 10, 0, 5).ToUnixTimeMilliseconds());
        for (var i = 0; i < 23; i++)
        {
            var id = $"{history.TenantId}-new-{i}";
            await history.MessageAsync(id, 1, "visitor", $"新店的第 {i} 位客户", Utc(8, 12, i).ToUnixTimeMilliseconds());
            await history.ConversationAsync(id, Utc(8, 12, i).ToUnixTimeMilliseconds(), accountId: newShop, visitorId: $"new-{i}", status: "Queued");
        }
        return open;
    }

    [Fact]
    public async Task DB1_to_DB5_An_admin_picks_a_custom_period_and_an_account_and_sees_the_figures_charts_groups_and_agents_the_API_answers()
    {
        var desk = await DeskAsync();
        using var tenant = desk.Tenant;
        var (page, errors, shop, ann, carl) = (desk.Page, desk.Errors, desk.Shop, desk.Ann, desk.Carl);

        var query = $"period=custom&from=2026-11-07&to=2026-11-08&accountId={shop}";
        var report = await tenant.Admin.GetOkAsync($"{tenant.Base}/dashboard?{query}");
        var agents = (await tenant.Admin.GetOkAsync($"{tenant.Base}/dashboard/agents?{query}"))["rows"]!.AsArray();
        var groups = await tenant.Admin.GetOkAsync($"{tenant.Base}/dashboard/groups?period=custom&from=2026-11-07&to=2026-11-08");

        // The cards are the API's figures; the history gives each a value (no friends were added).
        var figures = report["figures"]!;
        // Five visits of five visitors, four conversations; three began with the customer, two answered (after 1 and 3 minutes).
        Assert.Equal((5L, 5L, 4L, 2.0 / 3, 120.0), ((long)figures["visits"]!, (long)figures["visitors"]!, (long)figures["conversations"]!, (double)figures["replyRate"]!, (double)figures["averageFirstResponseSeconds"]!));
        var expected = new[] { "visits", "visitors", "conversations", "consultingVisitors", "visitorMessages", "friendsAdded" }
            .Select(key => (key, Count(figures[key])))
            .Append(("replyRate", Percent(figures["replyRate"]))).Append(("averageFirstResponseSeconds", Duration(figures["averageFirstResponseSeconds"])));
        foreach (var (key, text) in expected)
            await Expect(page.Locator($"#figures [data-figure={key}] .value")).ToHaveTextAsync(text);
        await Expect(page.Locator("#figures [data-figure=replyRate] .value")).ToHaveTextAsync("66.7%");
        await Expect(page.Locator("#figures [data-figure=averageFirstResponseSeconds] .value")).ToHaveTextAsync("2:00");

        // The agent table has the API's rows in its order; Carl, who only wrote first, has no reply rate: "--".
        var agentRows = page.Locator("#agents tbody tr");
        await Expect(agentRows).ToHaveCountAsync(agents.Count);
        Assert.Equal(agents.Select(r => (string)r!["agentId"]!), await agentRows.EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.key)"));
        for (var i = 0; i < agents.Count; i++)
        {
            var r = agents[i]!;
            await Expect(agentRows.Nth(i).Locator("td")).ToHaveTextAsync([
                (string)r["name"]!, Count(r["consultingVisitors"]), Count(r["conversations"]), Count(r["visitorMessages"]), Count(r["agentMessages"]),
                Percent(r["replyRate"]), Duration(r["averageFirstResponseSeconds"]), Count(r["friendsAdded"])]);
        }
        // The table's export, for the same query: its rows are the API's agents, in order.
        var export = await page.Locator("#export-agents").GetAttributeAsync("href");
        Assert.Equal($"{tenant.Base}/dashboard/agents.xlsx?{query}", export);
        using (var file = await tenant.Admin.GetAsync(export!))
            Assert.Equal(agents.Select(r => (string)r!["agentId"]!), (await Sheets.ReadAsync(file)).Skip(1).Select(cells => cells[1]));
        Assert.Null(agents.Single(r => (string)r!["agentId"]! == carl)!["replyRate"]);
        await Expect(page.Locator($"#agents tr[data-key='{carl}'] td").Nth(5)).ToHaveTextAsync("--");

        // The skill group's service figures and, beside them, the Erlang-C suggestion with its inputs.
        var g = Assert.Single(groups["rows"]!.AsArray())!;
        Assert.Equal(3L, (long)g["arrivalsLastHour"]!);
        Assert.NotNull(g["staffing"]);
        await Expect(page.Locator("#groups tbody tr td")).ToHaveTextAsync([
            GroupName, Count(g["arrivals"]), Count(g["answered"]), Count(g["abandoned"]), Percent(g["serviceLevel"]),
            Duration(g["averageSpeedOfAnswerSeconds"]), Percent(g["abandonmentRate"]), Count(g["arrivalsLastHour"]),
            Staffed(g, s => Duration(s["ahtSeconds"])), Staffed(g, s => ((double)s["trafficErlangs"]!).ToString("0.00", CultureInfo.InvariantCulture)),
            Staffed(g, s => $"{Percent(s["targetServiceLevel"])} / {((double)s["answerWithinSeconds"]!).ToString(CultureInfo.InvariantCulture)} s"),
            Staffed(g, s => (bool)s["targetMet"]! ? $"{(int)s["agents"]!}" : $"{(int)s["agents"]!} (未达标 target not met)"),
            Staffed(g, s => Percent(s["serviceLevel"]))]);

        // The charts are drawn from the same answer: the daily series, and the two funnels.
        foreach (var canvas in new[] { "series-chart", "conversion-chart", "wake-up-chart" })
            await page.WaitForFunctionAsync(
                "id => { const c = document.getElementById(id); const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; for (let i = 3; i < d.length; i += 4) if (d[i]) return c.width > 0; return false; }",
                canvas);
        var series = report["series"]!.AsArray();
        var drawn = await page.EvaluateAsync<JsonElement>("id => { const c = Chart.getChart(id); return { labels: c.data.labels, data: c.data.datasets.map(d => d.data) }; }", "series-chart");
        Assert.Equal(series.Select(d => (string)d!["day"]!), drawn.GetProperty("labels").EnumerateArray().Select(l => l.GetString()!));
        Assert.Equal(series.Select(d => (double)d!["figures"]!["visits"]!), drawn.GetProperty("data")[0].EnumerateArray().Select(v => v.GetDouble()));
        Assert.Equal(series.Select(d => (double)d!["figures"]!["conversations"]!), drawn.GetProperty("data")[2].EnumerateArray().Select(v => v.GetDouble()));
        foreach (var (canvas, funnel) in new[] { ("conversion-chart", "conversion"), ("wake-up-chart", "wakeUp") })
        {
            var bars = await page.EvaluateAsync<double[]>("id => Chart.getChart(id).data.datasets[0].data", canvas);
            Assert.Equal(report["funnels"]![funnel]!.AsArray().Select(s => (double)s!["count"]!), bars);
        }
        // A name is shown as written, never as HTML: Ann renamed, the page refreshed.
        await tenant.Admin.OkAsync(HttpMethod.Patch, $"{tenant.Base}/agents/{ann}", new { name = ScriptName });
        await page.ClickAsync("#refresh");
        await Expect(page.Locator($"#agents tr[data-key='{ann}'] td").First).ToHaveTextAsync(ScriptName);
        Assert.Equal(0, await page.Locator("#agents img").CountAsync());

        // An account with nothing in the period: the reply rate and the first response are null, "--".
        await page.SelectOptionAsync("#account", new SelectOptionValue { Label = NewShop });
        await Expect(page.Locator("#caption")).ToHaveTextAsync($"2026-11-07 – 2026-11-08 · {NewShop} · Asia/Shanghai");
        var empty = (await tenant.Admin.GetOkAsync($"{tenant.Base}/dashboard?period=custom&from=2026-11-07&to=2026-11-08&accountId={desk.NewShop}"))["figures"]!;
        Assert.Null(empty["replyRate"]);
        await Expect(page.Locator("#figures [data-figure=replyRate] .value")).ToHaveTextAsync("--");
        await Expect(page.Locator("#figures [data-figure=averageFirstResponseSeconds] .value")).ToHaveTextAsync("--");
        await Expect(page.Locator("#figures [data-figure=visits] .value")).ToHaveTextAsync("0");
        await Expect(page.Locator("#agents tbody tr")).ToHaveCountAsync(0);

        Assert.Null(await page.EvaluateAsync<int?>("() => window.__xss"));
        Assert.Empty(await page.EvaluateAsync<string[]>("() => window.__refused"));

        // The session gone (signed out elsewhere, or expired), the API's 401 brings the sign-in back, with the reason.
        await page.Context.ClearCookiesAsync();
        await page.ClickAsync("#refresh");
        await Expect(page.Locator("#signin .error")).ToHaveTextAsync("请重新登录 Your session has ended: sign in again.");
        await SignInAsync(page, tenant.AdminEmail, tenant.AdminPassword);
        await Expect(page.Locator("#caption")).ToContainTextAsync("全部账号 All accounts");

        // The workbench links an admin to the dashboard.
        await page.GotoAsync("/workbench");
        await Expect(page.Locator("#open-dashboard")).ToHaveAttributeAsync("href", "/console/dashboard");

        // An agent who signs in on the page is told whom it is for, and sees no figures.
        var agent = await browser.PageAsync(errors);
        await agent.GotoAsync("/console/dashboard");
        await SignInAsync(agent, desk.BobEmail, AgentPassword);
        await Expect(agent.Locator("#forbidden")).ToHaveTextAsync("经营看板只对租户管理员开放。 The dashboard is for the tenant's admins.");
        await Expect(agent.Locator("#figures, #agents, canvas")).ToHaveCountAsync(0);

        Assert.Empty(desk.Dialogs);
        Browser.NoUnexpected(errors, "the server responded with a status of 401");
    }

    [Fact]
    public async Task DB6_DB7_The_records_of_the_period_and_account_show_as_the_API_lists_them_page_by_page_with_a_records_detail_messages_and_export()
    {
        var desk = await DeskAsync();
        using var tenant = desk.Tenant;
        var page = desk.Page;
        // The period's days in Shanghai: from midnight of the 7th to midnight of the 9th.
        var records = $"{tenant.Base}/records?from=2026-11-06T16:00:00Z&to=2026-11-08T16:00:00Z&limit=20";
        var listed = (await tenant.Admin.GetOkAsync($"{records}&accountId={desk.Shop}"))["items"]!.AsArray();
        // 旗舰店's four completed conversations and the open one, newest first.
        Assert.Equal(5, listed.Count);
        var rows = page.Locator("#records tbody tr");
        await Expect(rows).ToHaveCountAsync(listed.Count);
        Assert.Equal(listed.Select(r => (string)r!["conversationId"]!), await rows.EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.key)"));
        for (var i = 0; i < listed.Count; i++) await Expect(rows.Nth(i).Locator("td")).ToHaveTextAsync(RecordCells(listed[i]!));
        await Expect(rows.First.Locator("td")).ToHaveTextAsync(["openid-42", Shop, "李娜", "2026-11-08 18:00:00", "好的，订单号是多少？", "公众号", "广东", "详情 Detail"]);
        await Expect(page.Locator("#more-records")).ToBeHiddenAsync();

        // The export is the list's, with its filters.
        var export = await page.Locator("#export-records").GetAttributeAsync("href");
        Assert.Equal($"{tenant.Base}/records/export.xlsx?from=2026-11-06T16%3A00%3A00.000Z&to=2026-11-08T16%3A00%3A00.000Z&accountId={desk.Shop}", export);
        using (var file = await tenant.Admin.GetAsync(export!))
            Assert.Equal((System.Net.HttpStatusCode.OK, Xlsx), (file.StatusCode, file.Content.Headers.ContentType?.MediaType));

        // DB-7: the open conversation's detail (its first response 20 s after the customer wrote) and its messages, in order.
        await rows.First.Locator("button.open-record").ClickAsync();
        var detail = await tenant.Admin.GetOkAsync($"{tenant.Base}/records/{desk.Open}");
        var panel = page.Locator("#record");
        await Expect(panel.Locator("dd")).ToHaveTextAsync([
            NameOf(detail["agent"]), NameOf(detail["account"]), NameOf(detail["skillGroup"]), (string?)detail["region"] ?? "--", ChannelOf(detail["source"]),
            Zoned(detail["startedAt"]), Duration(detail["firstResponseSeconds"]), (string)detail["status"]!]);
        await Expect(panel.Locator("dd").Nth(6)).ToHaveTextAsync("0:20");
        var messages = (await tenant.Admin.GetOkAsync($"{tenant.Base}/records/{desk.Open}/messages?after=0"))["items"]!.AsArray();
        await Expect(panel.Locator("li")).ToHaveTextAsync(messages.Select(m => (string)m!["content"]!).ToArray());
        Assert.Equal(["visitor", "agent"], await panel.Locator("li").EvaluateAllAsync<string[]>("items => items.map(i => i.className)"));
        // ENGINE_SCREENSHOTS=folder saves the page with its figures and a record open (docs/dashboard.png).
        if (Environment.GetEnvironmentVariable("ENGINE_SCREENSHOTS") is { Length: > 0 } folder)
        {
            await page.Locator("#to").BlurAsync();
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, "dashboard.png"), FullPage = true });
        }

        // One agent's records.
        await page.SelectOptionAsync("#record-agent", new SelectOptionValue { Label = "李娜" });
        var ann = (await tenant.Admin.GetOkAsync($"{records}&accountId={desk.Shop}&agentId={desk.Ann}"))["items"]!.AsArray();
        Assert.Equal(2, ann.Count);
        await Expect(rows).ToHaveCountAsync(ann.Count);
        Assert.Equal(ann.Select(r => (string)r!["conversationId"]!), await rows.EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.key)"));

        // 新店: 23 records, 20 on the first page and the rest after 更多, as the API pages them by next.
        await page.SelectOptionAsync("#account", new SelectOptionValue { Label = NewShop });
        await Expect(page.Locator("#caption")).ToHaveTextAsync($"2026-11-07 – 2026-11-08 · {NewShop} · Asia/Shanghai");
        var first = await tenant.Admin.GetOkAsync($"{records}&accountId={desk.NewShop}");
        var second = await tenant.Admin.GetOkAsync($"{records}&accountId={desk.NewShop}&after={Uri.EscapeDataString((string)first["next"]!)}");
        Assert.Null(second["next"]);
        var ids = first["items"]!.AsArray().Concat(second["items"]!.AsArray()).Select(r => (string)r!["conversationId"]!).ToArray();
        Assert.Equal(23, ids.Length);
        await Expect(rows).ToHaveCountAsync(20);
        Assert.Equal(ids.Take(20), await rows.EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.key)"));
        await page.ClickAsync("#more-records");
        await Expect(rows).ToHaveCountAsync(23);
        Assert.Equal(ids, await rows.EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.key)"));
        await Expect(page.Locator("#more-records")).ToBeHiddenAsync();

        Assert.Empty(await page.EvaluateAsync<string[]>("() => window.__refused"));
        Assert.Empty(desk.Dialogs);
        Browser.NoUnexpected(desk.Errors);
    }
}
