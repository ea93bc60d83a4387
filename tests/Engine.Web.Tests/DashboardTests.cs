using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Engine.Persistence.Dashboard;
using Engine.Tests.Persistence;
using Engine.Web.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using static Engine.Tests.Persistence.HandMadeHistory;

namespace Engine.Web.Tests;

/// <summary>
/// The dashboard (DB-1..DB-5) through the REST API on hand-made histories with known answers, on SQLite and PostgreSQL:
/// the history's rows are written as the engine writes them (<see cref="HandMadeHistory"/>: completed conversations waiting
/// for the roll-up, their messages, visits), rolled up by the real roll-up, and read back through <c>/dashboard</c>. Natural days are
/// Shanghai's (UTC+8, the tenant's default zone).
/// </summary>
public abstract class DashboardContract(EngineFactory factory)
{
    /// <summary>2026-11-07 in UTC at the given time (08:00 in Shanghai at 00:00 UTC).</summary>
    private static DateTimeOffset Utc(int hour, int minute = 0, int second = 0, int day = 7) => new(2026, 11, day, hour, minute, second, TimeSpan.Zero);

    private async Task<(TestTenant Tenant, HandMadeHistory History)> TenantAsync()
    {
        var tenant = await TestTenant.CreateAsync(factory);
        return (tenant, factory.HistoryOf(tenant.Id));
    }

    private Task RollUpAsync() => factory.RollUpAsync();

    private static string Custom(TestTenant tenant, string from, string to, string? account = null)
        => $"{tenant.Base}/dashboard?period=custom&from={from}&to={to}" + (account is null ? "" : $"&accountId={account}");

    private static (long, long, long, long, long, long) Counts(JsonNode f)
        => ((long)f["visits"]!, (long)f["visitors"]!, (long)f["conversations"]!, (long)f["consultingVisitors"]!, (long)f["visitorMessages"]!, (long)f["friendsAdded"]!);

    /// <summary>Four conversations and five visits on 2026-11-07 (Shanghai), two of them through the account "acc1".</summary>
    private static async Task DayOfFourConversationsAsync(HandMadeHistory history)
    {
        // Answered in 1 minute.
        await history.CompletedAsync("c-a", "v1", "acc1", "ag1", V(Utc(2)), A(Utc(2, 1)), V(Utc(2, 2)));
        // Answered in 3 minutes, the customer wrote twice first.
        await history.CompletedAsync("c-b", "v2", null, "ag1", V(Utc(3)), V(Utc(3, 1)), A(Utc(3, 3)));
        // Never answered.
        await history.CompletedAsync("c-c", "v3", null, "ag2", V(Utc(4)));
        // The agent wrote first: not counted for DB-2 and DB-3; its visitor (v1) consulted already.
        await history.CompletedAsync("c-d", "v1", "acc1", "ag1", A(Utc(5)), V(Utc(5, 1)));
        await history.VisitAsync("visit-1", "v1", "acc1", Utc(1, 59));
        await history.VisitAsync("visit-2", "v1", "acc1", Utc(4, 59));
        await history.VisitAsync("visit-3", "v2", null, Utc(2, 59));
        await history.VisitAsync("visit-4", "v3", null, Utc(3, 59));
        // Came, never wrote.
        await history.VisitAsync("visit-5", "v4", null, Utc(6));
    }

    [Fact]
    public async Task DB1_DB2_DB3_A_day_of_the_tenant_has_its_visits_visitors_conversations_consulting_visitors_messages_reply_rate_and_first_response()
    {
        var (tenant, history) = await TenantAsync();
        using var _ = tenant;
        await DayOfFourConversationsAsync(history);
        await RollUpAsync();

        var all = await tenant.Admin.GetOkAsync(Custom(tenant, "2026-11-07", "2026-11-07"));
        var f = all["figures"]!;
        Assert.Equal((5L, 4L, 4L, 3L, 6L, 0L), Counts(f));
        // Three conversations began with the customer, two of them were answered, after 1 and 3 minutes.
        Assert.Equal(2.0 / 3, (double)f["replyRate"]!, 6);
        Assert.Equal(120.0, (double)f["averageFirstResponseSeconds"]!, 6);
        Assert.Equal(("custom", "2026-11-07", "2026-11-07", "Asia/Shanghai"),
            ((string)all["period"]!["kind"]!, (string)all["period"]!["from"]!, (string)all["period"]!["to"]!, (string)all["period"]!["timeZone"]!));

        // One account: its visits and conversations only.
        var account = (await tenant.Admin.GetOkAsync(Custom(tenant, "2026-11-07", "2026-11-07", "acc1")))["figures"]!;
        Assert.Equal((2L, 1L, 2L, 1L, 3L, 0L), Counts(account));
        Assert.Equal((1.0, 60.0), ((double)account["replyRate"]!, (double)account["averageFirstResponseSeconds"]!));

        // DB-4: conversion and wake-up funnels start from the same visitors.
        var funnels = all["funnels"]!;
        Assert.Equal([4L, 3L, 0L], funnels["conversion"]!.AsArray().Select(s => (long)s!["count"]!));
        Assert.Equal(["visitors", "consultingVisitors", "interrupted", "woken"], funnels["wakeUp"]!.AsArray().Select(s => (string)s!["step"]!));
    }

    [Fact]
    public async Task DB1_Roll_ups_running_at_once_as_on_several_servers_count_each_conversation_and_visit_once()
    {
        var (tenant, history) = await TenantAsync();
        using var _ = tenant;
        await DayOfFourConversationsAsync(history);
        var rollups = factory.Services.GetRequiredService<DashboardRollups>();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => rollups.RollUpAllAsync())));

        var f = (await tenant.Admin.GetOkAsync(Custom(tenant, "2026-11-07", "2026-11-07")))["figures"]!;
        Assert.Equal((5L, 4L, 4L, 3L, 6L, 0L), Counts(f));
        Assert.Equal(0, await rollups.RollUpAllAsync());
    }

    [Fact]
    public async Task DB1_DB2_Days_end_at_Shanghai_midnight_and_a_conversation_across_it_counts_on_its_first_day_with_its_messages_on_theirs()
    {
        var (tenant, history) = await TenantAsync();
        using var _ = tenant;
        // 15:59:59 UTC is 23:59:59 on the 7th in Shanghai; the reply comes 20 minutes later, on the 8th, and the customer writes again.
        await history.CompletedAsync("late", "v-late", null, "ag1", V(Utc(15, 59, 59)), A(Utc(16, 19, 59)), V(Utc(16, 30)));
        // 16:00:00 UTC is midnight: the 8th.
        await history.CompletedAsync("midnight", "v-midnight", null, "ag1", V(Utc(16)), A(Utc(16, 1)));
        await RollUpAsync();

        var report = await tenant.Admin.GetOkAsync(Custom(tenant, "2026-11-07", "2026-11-08"));
        var days = report["series"]!.AsArray();
        Assert.Equal(["2026-11-07", "2026-11-08"], days.Select(d => (string)d!["day"]!));
        var (seventh, eighth) = (days[0]!["figures"]!, days[1]!["figures"]!);
        Assert.Equal((1L, 1L, 1L), ((long)seventh["conversations"]!, (long)seventh["visitorMessages"]!, (long)seventh["consultingVisitors"]!));
        Assert.Equal((1.0, 1200.0), ((double)seventh["replyRate"]!, (double)seventh["averageFirstResponseSeconds"]!));
        Assert.Equal((1L, 2L, 2L), ((long)eighth["conversations"]!, (long)eighth["visitorMessages"]!, (long)eighth["consultingVisitors"]!));
        Assert.Equal(60.0, (double)eighth["averageFirstResponseSeconds"]!);
        // Over both days "v-late" is one consulting visitor, not two.
        Assert.Equal(2L, (long)report["figures"]!["consultingVisitors"]!);
        Assert.Equal((1.0, 630.0), ((double)report["figures"]!["replyRate"]!, (double)report["figures"]!["averageFirstResponseSeconds"]!));
        // The 8th alone: the late conversation's reply answered a question of the 7th.
        var alone = (await tenant.Admin.GetOkAsync(Custom(tenant, "2026-11-08", "2026-11-08")))["figures"]!;
        Assert.Equal((1L, 2L, 60.0), ((long)alone["conversations"]!, (long)alone["consultingVisitors"]!, (double)alone["averageFirstResponseSeconds"]!));
    }

    [Fact]
    public async Task DB1_A_visitors_day_rolled_up_after_a_later_one_links_between_them_and_every_period_counts_the_visitor_once()
    {
        var (tenant, history) = await TenantAsync();
        using var _ = tenant;
        // v1 visits on the 7th and the 9th (Shanghai), v2 on the 9th; rolled up before v1's visit of the 8th comes.
        await history.VisitAsync("visit-7", "v1", null, Utc(4, day: 7));
        await history.VisitAsync("visit-9", "v1", null, Utc(4, day: 9));
        await history.VisitAsync("visit-9b", "v2", null, Utc(5, day: 9));
        await RollUpAsync();
        await history.VisitAsync("visit-8", "v1", null, Utc(4, day: 8));
        await RollUpAsync();

        long Visitors(JsonNode report) => (long)report["figures"]!["visitors"]!;
        Assert.Equal(2L, Visitors(await tenant.Admin.GetOkAsync(Custom(tenant, "2026-11-07", "2026-11-09"))));
        Assert.Equal(2L, Visitors(await tenant.Admin.GetOkAsync(Custom(tenant, "2026-11-08", "2026-11-09"))));
        Assert.Equal(2L, Visitors(await tenant.Admin.GetOkAsync(Custom(tenant, "2026-11-09", "2026-11-09"))));
        Assert.Equal(1L, Visitors(await tenant.Admin.GetOkAsync(Custom(tenant, "2026-11-08", "2026-11-08"))));
        var series = (await tenant.Admin.GetOkAsync(Custom(tenant, "2026-11-06", "2026-11-09")))["series"]!.AsArray();
        Assert.Equal([0L, 1L, 1L, 2L], series.Select(d => (long)d!["figures"]!["visitors"]!));
        // The 8th rolled up again (a second visit that day) changes nothing.
        await history.VisitAsync("visit-8b", "v1", null, Utc(6, day: 8));
        await RollUpAsync();
        Assert.Equal(2L, Visitors(await tenant.Admin.GetOkAsync(Custom(tenant, "2026-11-08", "2026-11-09"))));
        Assert.Equal(4L, (long)(await tenant.Admin.GetOkAsync(Custom(tenant, "2026-11-08", "2026-11-09")))["figures"]!["visits"]!);
    }

    [Fact]
    public async Task DB2_DB3_With_nothing_counted_reply_rate_and_first_response_are_null_and_a_customer_who_never_wrote_first_is_not_counted()
    {
        var (tenant, history) = await TenantAsync();
        using var _ = tenant;
        await history.CompletedAsync("agent-first", "v1", null, "ag1", A(Utc(2)), V(Utc(2, 1)), A(Utc(2, 2)));
        await RollUpAsync();

        foreach (var day in new[] { "2026-11-07", "2026-11-01" })
        {
            var f = (await tenant.Admin.GetOkAsync(Custom(tenant, day, day)))["figures"]!.AsObject();
            Assert.True(f.ContainsKey("replyRate") && f.ContainsKey("averageFirstResponseSeconds"), "the figures are there, as null");
            Assert.Null(f["replyRate"]);
            Assert.Null(f["averageFirstResponseSeconds"]);
        }
        // The conversation and its message still count.
        var counted = (await tenant.Admin.GetOkAsync(Custom(tenant, "2026-11-07", "2026-11-07")))["figures"]!;
        Assert.Equal((1L, 1L), ((long)counted["conversations"]!, (long)counted["visitorMessages"]!));
    }

    [Fact]
    public async Task DB4_Six_hours_of_silence_after_an_agent_interrupts_at_exactly_6_h_and_at_6_h_and_1_s_not_at_a_second_less_and_writing_again_wakes()
    {
        var (tenant, history) = await TenantAsync();
        using var _ = tenant;
        foreach (var v in new[] { "exactly", "plus-1s", "minus-1s", "silent", "next-conversation" }) await history.VisitAsync("visit-" + v, v, null, Utc(0));
        await history.CompletedAsync("exactly", "exactly", null, "ag1", V(Utc(0)), A(Utc(0, 1)), V(Utc(6, 1)));
        await history.CompletedAsync("plus-1s", "plus-1s", null, "ag1", V(Utc(0)), A(Utc(0, 1)), V(Utc(6, 1, 1)));
        await history.CompletedAsync("minus-1s", "minus-1s", null, "ag1", V(Utc(0)), A(Utc(0, 1)), V(Utc(6, 0, 59)));
        // Still silent now (long after): interrupted, not woken.
        await history.CompletedAsync("silent", "silent", null, "ag1", V(Utc(0)), A(Utc(0, 1)));
        // The agent's message went unanswered in one conversation; the customer came back in another 7 hours later.
        await history.CompletedAsync("first", "next-conversation", null, "ag1", V(Utc(0)), A(Utc(0, 1)));
        await RollUpAsync();
        await history.CompletedAsync("second", "next-conversation", null, "ag2", V(Utc(7, 1)));
        await RollUpAsync();

        var wakeUp = (await tenant.Admin.GetOkAsync(Custom(tenant, "2026-11-07", "2026-11-07")))["funnels"]!["wakeUp"]!.AsArray();
        Assert.Equal([5L, 5L, 4L, 3L], wakeUp.Select(s => (long)s!["count"]!));
    }

    [Fact]
    public async Task DB1_DB4_MK8_Friends_added_by_a_gateway_count_once_per_friend_in_the_figures_the_conversion_funnel_and_the_agent_table()
    {
        var (tenant, _) = await TenantAsync();
        using var __ = tenant;
        var shop = (string)(await tenant.Admin.PostOkAsync($"{tenant.Base}/marketing-accounts", new { name = "旗舰店" }))["id"]!;
        var (ann, _, _, _) = await tenant.AddAgentAsync();
        var channel = await tenant.Admin.PostOkAsync($"{tenant.Base}/channels", new { kind = "wechat", name = "公众号", appId = "wx1234567890" });
        using var http = factory.CreateClient();
        foreach (var customer in new[] { "c1", "c2", "c1" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/channels/{(string)channel["channel"]!["channelKey"]!}/events")
            {
                Content = System.Net.Http.Json.JsonContent.Create(new { type = "friendAdded", customerId = customer, accountId = shop, agentId = ann }),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", (string)channel["token"]!);
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var report = await tenant.Admin.GetOkAsync($"{tenant.Base}/dashboard?period=today&accountId={shop}");
        Assert.Equal(2L, (long)report["figures"]!["friendsAdded"]!);
        Assert.Equal(2L, (long)report["funnels"]!["conversion"]![2]!["count"]!);
        Assert.Equal(2L, report["series"]!.AsArray().Sum(d => (long)d!["figures"]!["friendsAdded"]!));
        var rows = (await tenant.Admin.GetOkAsync($"{tenant.Base}/dashboard/agents?period=week"))["rows"]!.AsArray();
        var row = Assert.Single(rows)!;
        Assert.Equal((ann, 2L), ((string)row["agentId"]!, (long)row["friendsAdded"]!));
        Assert.StartsWith("Agent ", (string)row["name"]!);
    }

    [Fact]
    public async Task DB5_The_agent_table_has_each_agents_consulting_visitors_messages_reply_rate_and_first_response()
    {
        var (tenant, history) = await TenantAsync();
        using var _ = tenant;
        await DayOfFourConversationsAsync(history);
        await RollUpAsync();

        var rows = (await tenant.Admin.GetOkAsync($"{tenant.Base}/dashboard/agents?period=custom&from=2026-11-07&to=2026-11-07"))["rows"]!.AsArray()
            .ToDictionary(r => (string)r!["agentId"]!);
        Assert.Equal(["ag1", "ag2"], rows.Keys.Order());
        var ag1 = rows["ag1"]!;
        Assert.Equal((2L, 3L, 5L, 3L), ((long)ag1["consultingVisitors"]!, (long)ag1["conversations"]!, (long)ag1["visitorMessages"]!, (long)ag1["agentMessages"]!));
        Assert.Equal((1.0, 120.0), ((double)ag1["replyRate"]!, (double)ag1["averageFirstResponseSeconds"]!));
        var ag2 = rows["ag2"]!;
        Assert.Equal((1L, 0.0), ((long)ag2["consultingVisitors"]!, (double)ag2["replyRate"]!));
        Assert.Null(ag2["averageFirstResponseSeconds"]);
        // Of one account: the agent's conversations through it only.
        var ofAccount = (await tenant.Admin.GetOkAsync($"{tenant.Base}/dashboard/agents?period=custom&from=2026-11-07&to=2026-11-07&accountId=acc1"))["rows"]!.AsArray();
        var only = Assert.Single(ofAccount)!;
        Assert.Equal(("ag1", 1L, 2L), ((string)only["agentId"]!, (long)only["consultingVisitors"]!, (long)only["conversations"]!));
    }

    [Fact]
    public async Task A_groups_service_level_counts_answers_within_the_threshold_among_answered_and_abandoned_with_speed_of_answer_and_abandonment()
    {
        var (tenant, history) = await TenantAsync();
        using var _ = tenant;
        foreach (var (id, wait) in new[] { ("c10", 10), ("c20", 20), ("c21", 21) })
            await history.CompletedAsync(id, "v-" + id, null, "ag1", "g1", Utc(2), Utc(2, 0, wait), [V(Utc(2))]);
        await history.CompletedAsync("left", "v-left", null, null, "g1", Utc(3), null, [V(Utc(3))], "CustomerLeft");
        await RollUpAsync();

        var groups = await tenant.Admin.GetOkAsync($"{tenant.Base}/dashboard/groups?period=custom&from=2026-11-07&to=2026-11-07&answerWithin=20");
        var g1 = Assert.Single(groups["rows"]!.AsArray())!;
        Assert.Equal((4L, 3L, 1L), ((long)g1["arrivals"]!, (long)g1["answered"]!, (long)g1["abandoned"]!));
        // Answered within 20 s (exactly 20 s is within): 2 of the 4 that were answered or abandoned.
        Assert.Equal(0.5, (double)g1["serviceLevel"]!);
        Assert.Equal(17.0, (double)g1["averageSpeedOfAnswerSeconds"]!, 6);
        Assert.Equal(0.25, (double)g1["abandonmentRate"]!);
        var at21 = (await tenant.Admin.GetOkAsync($"{tenant.Base}/dashboard/groups?period=custom&from=2026-11-07&to=2026-11-07&answerWithin=21"))["rows"]![0]!;
        Assert.Equal(0.75, (double)at21["serviceLevel"]!);
        Assert.Contains("above 0", await ApiClient.FieldErrorAsync(await tenant.Admin.GetAsync($"{tenant.Base}/dashboard/groups?targetServiceLevel=1"), "targetServiceLevel"));
        Assert.Contains("between", await ApiClient.FieldErrorAsync(await tenant.Admin.GetAsync($"{tenant.Base}/dashboard/groups?answerWithin=0"), "answerWithin"));
    }

    [Fact]
    public async Task Erlang_C_suggests_the_agents_for_the_last_hours_arrivals_and_handle_time_with_the_formulas_inputs()
    {
        var (tenant, history) = await TenantAsync();
        using var _ = tenant;
        // 200 arrivals in the last hour, each handled in 180 s: 10 Erlangs. Published (pyworkforce, the ErlangC R package):
        // 80% within 20 s takes 14 agents, with P(wait) 0.1741 and a service level of 0.8884 at 14.
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < 200; i++)
        {
            var created = now.AddMinutes(-50).AddSeconds(i * 10);
            await history.CompletedAsync("hour-" + i, "v-" + i, null, "ag1", "g2", created, created.AddSeconds(5), [V(created)], endedAt: created.AddSeconds(185));
        }

        var groups = await tenant.Admin.GetOkAsync($"{tenant.Base}/dashboard/groups?period=week&answerWithin=20&targetServiceLevel=0.8");
        var g2 = groups["rows"]!.AsArray().Single(r => (string)r!["groupId"]! == "g2")!;
        var staffing = g2["staffing"]!;
        Assert.Equal((200L, 200.0, 180.0, 10.0), ((long)g2["arrivalsLastHour"]!, (double)staffing["arrivalsPerHour"]!, (double)staffing["ahtSeconds"]!, (double)staffing["trafficErlangs"]!));
        Assert.Equal((14, true), ((int)staffing["agents"]!, (bool)staffing["targetMet"]!));
        Assert.Equal(0.1741, (double)staffing["probabilityOfWaiting"]!, 4);
        Assert.Equal(0.8884, (double)staffing["serviceLevel"]!, 4);
        Assert.Equal((0.8, 20.0), ((double)staffing["targetServiceLevel"]!, (double)staffing["answerWithinSeconds"]!));
    }

    [Fact]
    public async Task DB5_The_agent_table_exports_to_an_xlsx_with_the_tables_rows_and_dashes_for_nothing_counted()
    {
        var (tenant, history) = await TenantAsync();
        using var _ = tenant;
        await DayOfFourConversationsAsync(history);
        await RollUpAsync();

        using var response = await tenant.Admin.GetAsync($"{tenant.Base}/dashboard/agents.xlsx?period=custom&from=2026-11-07&to=2026-11-07");
        Assert.Equal("agents-20261107-20261107.xlsx", response.Content.Headers.ContentDisposition?.FileNameStar ?? response.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        var sheet = await Sheets.ReadAsync(response);
        Assert.Equal(["坐席", "坐席ID", "咨询人数", "会话数", "访客消息数", "坐席消息数", "回复率", "平均首次响应 (秒)", "加好友数"], sheet[0]);
        var rows = sheet.Skip(1).ToDictionary(r => r[1]);
        Assert.Equal(["ag1", "ag1", "2", "3", "5", "3", "1", "120", "0"], rows["ag1"]);
        Assert.Equal(("0", "--"), (rows["ag2"][6], rows["ag2"][7]));
        var (_, _, _, token) = await tenant.AddAgentAsync();
        using var agent = ApiClient.Bearer(factory, token);
        await ApiClient.ProblemAsync(await agent.GetAsync($"{tenant.Base}/dashboard/agents.xlsx"), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task DB1_A_change_of_the_tenants_time_zone_rolls_the_history_up_again_in_the_new_natural_days()
    {
        var (tenant, history) = await TenantAsync();
        using var _ = tenant;
        // 20:00 UTC on the 7th: the 8th in Shanghai, the 7th in London.
        await history.CompletedAsync("evening", "v1", null, "ag1", V(Utc(20)), A(Utc(20, 2)));
        await RollUpAsync();
        Assert.Equal(1L, (long)(await tenant.Admin.GetOkAsync(Custom(tenant, "2026-11-08", "2026-11-08")))["figures"]!["conversations"]!);

        await tenant.Admin.OkAsync(HttpMethod.Patch, tenant.Base, new { timeZone = "Europe/London" });
        await RollUpAsync();
        var london = await tenant.Admin.GetOkAsync(Custom(tenant, "2026-11-07", "2026-11-08"));
        Assert.Equal([1L, 0L], london["series"]!.AsArray().Select(d => (long)d!["figures"]!["conversations"]!));
        Assert.Equal("Europe/London", (string)london["period"]!["timeZone"]!);
    }

    [Fact]
    public async Task DB1_Bad_periods_are_refused_naming_the_field_and_agents_may_not_read_the_dashboard()
    {
        var (tenant, _) = await TenantAsync();
        using var __ = tenant;
        Assert.Contains("must be one of", await ApiClient.FieldErrorAsync(await tenant.Admin.GetAsync($"{tenant.Base}/dashboard?period=decade"), "period"));
        Assert.Contains("required", await ApiClient.FieldErrorAsync(await tenant.Admin.GetAsync($"{tenant.Base}/dashboard?period=custom&to=2026-11-01"), "from"));
        Assert.Contains("before", await ApiClient.FieldErrorAsync(await tenant.Admin.GetAsync(Custom(tenant, "2026-11-08", "2026-11-07")), "to"));
        Assert.Contains("366", await ApiClient.FieldErrorAsync(await tenant.Admin.GetAsync(Custom(tenant, "2025-10-01", "2026-11-07")), "to"));
        Assert.Contains("yyyy-MM-dd", await ApiClient.FieldErrorAsync(await tenant.Admin.GetAsync(Custom(tenant, "7/12/2026", "2026-11-07")), "from"));
        Assert.Contains("custom", await ApiClient.FieldErrorAsync(await tenant.Admin.GetAsync($"{tenant.Base}/dashboard?period=week&from=2026-11-01"), "from"));
        var (_, _, _, token) = await tenant.AddAgentAsync();
        using var agent = ApiClient.Bearer(factory, token);
        await ApiClient.ProblemAsync(await agent.GetAsync($"{tenant.Base}/dashboard"), HttpStatusCode.Forbidden);
        await ApiClient.ProblemAsync(await agent.GetAsync($"{tenant.Base}/dashboard/agents"), HttpStatusCode.Forbidden);
    }
}

public sealed class DashboardOnSqliteTests(EngineFactory factory) : DashboardContract(factory), IClassFixture<EngineFactory>;

public sealed class DashboardOnPostgresTests(PostgresEngineFactory factory) : DashboardContract(factory), IClassFixture<PostgresEngineFactory>;
