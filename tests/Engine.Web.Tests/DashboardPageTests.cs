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
/// The console's dashboard (<c>/console/dashboard</c>, DB-1..DB-5) in Debian's Chromium against the real server, on a
/// hand-made history rolled up by the real roll-up: what the page shows for a period and an account is what the REST API
/// answers for the same query, read by the test beside it. Names (agents', accounts', groups') are injection strings.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class DashboardPageTests(Browser browser)
{
    private const string AgentPassword = "Agent#2026pw";
    private const string Shop = "旗舰店";
    private const string NewShop = "<b>新店</b>";
    private const string ScriptName = "<img src=x onerror=\"window.__xss=1\">安娜";
    private const string GroupName = "售前咨询";

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

    [Fact]
    public async Task DB1_to_DB5_An_admin_picks_a_custom_period_and_an_account_and_sees_the_figures_charts_groups_and_agents_the_API_answers()
    {
        var factory = browser.Server;
        using var tenant = await TestTenant.CreateAsync(factory);
        var shop = (string)(await tenant.Admin.PostOkAsync($"{tenant.Base}/marketing-accounts", new { name = Shop }))["id"]!;
        await tenant.Admin.PostOkAsync($"{tenant.Base}/marketing-accounts", new { name = NewShop });
        var group = await tenant.AddGroupAsync(name: GroupName);
        var (ann, _, _, _) = await tenant.AddAgentAsync([group]);
        var (bob, bobEmail, bobInitial, _) = await tenant.AddAgentAsync([group]);
        var (carl, _, _, _) = await tenant.AddAgentAsync();
        foreach (var (id, name) in new[] { (ann, "李娜"), (bob, "王博"), (carl, "陈凯") })
            await tenant.Admin.OkAsync(HttpMethod.Patch, $"{tenant.Base}/agents/{id}", new { name });
        using (await ApiClient.SignInAsync(factory, bobEmail, bobInitial, AgentPassword)) { }
        await HistoryAsync(factory.HistoryOf(tenant.Id), shop, ann, bob, carl, group);
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
        // ENGINE_SCREENSHOTS=folder saves the page with its figures (docs/dashboard.png).
        if (Environment.GetEnvironmentVariable("ENGINE_SCREENSHOTS") is { Length: > 0 } folder)
        {
            await page.Locator("#to").BlurAsync();
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, "dashboard.png"), FullPage = true });
        }

        // A name is shown as written, never as HTML: Ann renamed, the page refreshed.
        await tenant.Admin.OkAsync(HttpMethod.Patch, $"{tenant.Base}/agents/{ann}", new { name = ScriptName });
        await page.ClickAsync("#refresh");
        await Expect(page.Locator($"#agents tr[data-key='{ann}'] td").First).ToHaveTextAsync(ScriptName);
        Assert.Equal(0, await page.Locator("#agents img").CountAsync());

        // An account with nothing in the period: the reply rate and the first response are null, "--".
        await page.SelectOptionAsync("#account", new SelectOptionValue { Label = NewShop });
        await Expect(page.Locator("#caption")).ToHaveTextAsync($"2026-11-07 – 2026-11-08 · {NewShop} · Asia/Shanghai");
        var newShop = (await tenant.Admin.GetOkAsync($"{tenant.Base}/marketing-accounts"))!.AsArray().Single(a => (string)a!["name"]! == NewShop)!;
        var empty = (await tenant.Admin.GetOkAsync($"{tenant.Base}/dashboard?period=custom&from=2026-11-07&to=2026-11-08&accountId={(string)newShop["id"]!}"))["figures"]!;
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
        await SignInAsync(agent, bobEmail, AgentPassword);
        await Expect(agent.Locator("#forbidden")).ToHaveTextAsync("经营看板只对租户管理员开放。 The dashboard is for the tenant's admins.");
        await Expect(agent.Locator("#figures, #agents, canvas")).ToHaveCountAsync(0);

        Assert.Empty(dialogs);
        Browser.NoUnexpected(errors, "the server responded with a status of 401");
    }
}
