using System.Globalization;
using System.Text.Json.Serialization;
using Engine.Metrics;
using Engine.Web.Admin;
using Engine.Web.Auth;
using Engine.Web.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Engine.Web.Api;

/// <summary>
/// The decision dashboard (DB-1..DB-5) for the tenant's admins: a period's figures and daily series, the funnels, the
/// skill groups' service figures with a staffing suggestion, and the per-agent table with its Excel export.
/// </summary>
public static class DashboardApi
{
    public static IEndpointRouteBuilder MapDashboardApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/tenants/{tenantId}/dashboard").WithTags("Dashboard").RequireTenantMember().RequireAuthorization(Policies.Admin);
        group.MapGet("", Report);
        group.MapGet("/agents", Agents);
        group.MapGet("/agents.xlsx", AgentsExport).WithSummary("DB-5: the per-agent table as an Excel file, with the dashboard's period and account")
            .Produces(StatusCodes.Status200OK, typeof(Stream), XlsxExport.ContentType);
        group.MapGet("/groups", Groups);
        return app;
    }

    private static readonly IReadOnlyDictionary<string, PeriodKind> Periods = new Dictionary<string, PeriodKind>(StringComparer.Ordinal)
    {
        ["today"] = PeriodKind.Today, ["week"] = PeriodKind.Week, ["month"] = PeriodKind.Month, ["year"] = PeriodKind.Year, ["custom"] = PeriodKind.Custom,
    };

    /// <summary>The period asked for, in the tenant's natural days (<c>yyyy-MM-dd</c>, both included).</summary>
    public sealed record PeriodView(string Kind, string From, string To, string TimeZone);

    /// <summary>DB-1's figures. <c>replyRate</c> (0..1) and <c>averageFirstResponseSeconds</c> are null ("--") when nothing was counted (DB-2, DB-3).</summary>
    public sealed record FiguresView(
        long Visits, long Visitors, long Conversations, long ConsultingVisitors, long VisitorMessages,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? ReplyRate,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? AverageFirstResponseSeconds,
        long FriendsAdded)
    {
        public static FiguresView Of(DashboardFigures f) => new(f.Visits, f.Visitors, f.Conversations, f.ConsultingVisitors, f.VisitorMessages,
            f.ReplyRate, f.AverageFirstResponseSeconds, f.FriendsAdded);
    }

    /// <summary>One natural day of the daily series.</summary>
    public sealed record DayView(string Day, FiguresView Figures);

    /// <summary>A funnel's step: its name and its distinct visitors (friends: those added).</summary>
    public sealed record StepView(string Step, long Count);

    /// <summary>DB-4: conversion (visitors → consulting → friends added) and wake-up (visitors → consulting → interrupted → woken).</summary>
    public sealed record FunnelsView(IReadOnlyList<StepView> Conversion, IReadOnlyList<StepView> WakeUp);

    public sealed record DashboardView(PeriodView Period, string? AccountId, FiguresView Figures, IReadOnlyList<DayView> Series, FunnelsView Funnels);

    /// <summary>DB-5: an agent's row. Reply rate and first response are null ("--") when nothing was counted.</summary>
    public sealed record AgentRowView(
        string AgentId, string Name, long ConsultingVisitors, long Conversations, long VisitorMessages, long AgentMessages,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? ReplyRate,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? AverageFirstResponseSeconds,
        long FriendsAdded);

    public sealed record AgentsView(PeriodView Period, string? AccountId, IReadOnlyList<AgentRowView> Rows);

    /// <summary>
    /// The Erlang-C suggestion and the formula's inputs beside it: the last hour's arrivals, the average handle time,
    /// the traffic in Erlangs, the target; then the agents suggested and, at that number, the probability of waiting,
    /// service level, average speed of answer and occupancy. <c>targetMet</c> is false only when no number up to the cap meets it.
    /// </summary>
    public sealed record StaffingView(
        double ArrivalsPerHour, double AhtSeconds, double TrafficErlangs, double TargetServiceLevel, double AnswerWithinSeconds,
        int Agents, double? ProbabilityOfWaiting, double? ServiceLevel, double? AverageSpeedOfAnswerSeconds, double? Occupancy, bool TargetMet);

    /// <summary>
    /// A skill group's service figures over the period: arrivals, answered, abandoned; the service level (answered within
    /// <c>answerWithin</c> seconds among those answered or abandoned), the average speed of answer and the abandonment rate,
    /// each null ("--") with nothing to count; and the staffing suggestion (null without a handle time to go by).
    /// </summary>
    public sealed record GroupRowView(
        string GroupId, string Name, long Arrivals, long Answered, long Abandoned,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? ServiceLevel,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? AverageSpeedOfAnswerSeconds,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? AbandonmentRate,
        long ArrivalsLastHour,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] StaffingView? Staffing);

    public sealed record GroupsView(PeriodView Period, int AnswerWithinSeconds, double TargetServiceLevel, IReadOnlyList<GroupRowView> Rows);

    /// <summary>
    /// DB-1..DB-4: the figures of a period — <c>period</c> today (the default), week (Monday on), month, year, or custom
    /// with <c>from</c> and <c>to</c> (<c>yyyy-MM-dd</c>, both included, at most 366 days) — of one marketing account
    /// (<c>accountId</c>) or all, with a daily series for the charts and the two funnels. Conversations count once they
    /// complete.
    /// </summary>
    public static async Task<Ok<DashboardView>> Report(
        string tenantId, string? period, string? from, string? to, string? accountId, DashboardService dashboard, CancellationToken cancellationToken)
    {
        var (asked, zone, account) = await AskedAsync(tenantId, period, from, to, accountId, dashboard, cancellationToken);
        var report = await dashboard.ReportAsync(tenantId, asked.Period, zone, account, cancellationToken);
        var f = report.Funnels;
        return TypedResults.Ok(new DashboardView(
            ViewOf(asked, zone), account, FiguresView.Of(report.Figures),
            [.. report.Series.Select(d => new DayView(DayText(d.Day), FiguresView.Of(d.Figures)))],
            new FunnelsView(
                [new("visitors", f.Visitors), new("consultingVisitors", f.ConsultingVisitors), new("friendsAdded", f.FriendsAdded)],
                [new("visitors", f.Visitors), new("consultingVisitors", f.ConsultingVisitors), new("interrupted", f.Interrupted), new("woken", f.Woken)])));
    }

    /// <summary>DB-5: the per-agent table of a period (the same parameters as the dashboard), by name.</summary>
    public static async Task<Ok<AgentsView>> Agents(
        string tenantId, string? period, string? from, string? to, string? accountId, DashboardService dashboard, CancellationToken cancellationToken)
    {
        var (asked, zone, account) = await AskedAsync(tenantId, period, from, to, accountId, dashboard, cancellationToken);
        var rows = await dashboard.AgentsAsync(tenantId, asked.Period, zone, account, cancellationToken);
        return TypedResults.Ok(new AgentsView(ViewOf(asked, zone), account, [.. rows.Select(RowOf)]));
    }

    /// <summary>
    /// The skill groups' service figures of a period (the dashboard's <c>period</c>, <c>from</c>, <c>to</c>), with the
    /// service level's threshold <c>answerWithin</c> (seconds, 1–3600, default 20) and the staffing target
    /// <c>targetServiceLevel</c> (above 0 and below 1, default 0.8).
    /// </summary>
    public static async Task<Ok<GroupsView>> Groups(
        string tenantId, string? period, string? from, string? to, int? answerWithin, double? targetServiceLevel, DashboardService dashboard, CancellationToken cancellationToken)
    {
        var checks = new Checks();
        var within = checks.Range("answerWithin", answerWithin, 1, 3600, 20);
        var target = targetServiceLevel ?? 0.8;
        if (!(target is > 0 and < 1)) checks.Add("targetServiceLevel", "must be above 0 and below 1, e.g. 0.8 for 80%");
        checks.ThrowIfAny();
        var (asked, zone, _) = await AskedAsync(tenantId, period, from, to, null, dashboard, cancellationToken);
        var rows = await dashboard.GroupsAsync(tenantId, asked.Period, TimeSpan.FromSeconds(within), target, cancellationToken);
        return TypedResults.Ok(new GroupsView(ViewOf(asked, zone), within, target, [.. rows.Select(r => new GroupRowView(
            r.GroupId, r.Name, r.Figures.Arrivals, r.Figures.Answered, r.Figures.Abandoned, r.Figures.ServiceLevel(within),
            r.Figures.AverageSpeedOfAnswer?.TotalSeconds, r.Figures.AbandonmentRate, r.ArrivalsLastHour,
            r.Staffing is { } s ? new StaffingView(s.ArrivalsPerHour, s.AhtSeconds, s.TrafficErlangs, s.TargetServiceLevel, s.ThresholdSeconds,
                s.Suggested.Agents, s.Suggested.ProbabilityOfWaiting, s.Suggested.ServiceLevel, s.Suggested.AsaSeconds, s.Suggested.Occupancy, s.TargetMet) : null))]));
    }

    /// <summary>DB-5's export: the per-agent table of the same query as an .xlsx attachment; a figure with nothing counted is "--".</summary>
    public static async Task<IResult> AgentsExport(
        string tenantId, string? period, string? from, string? to, string? accountId, DashboardService dashboard, CancellationToken cancellationToken)
    {
        var (asked, zone, account) = await AskedAsync(tenantId, period, from, to, accountId, dashboard, cancellationToken);
        var rows = await dashboard.AgentsAsync(tenantId, asked.Period, zone, account, cancellationToken);
        var name = $"agents-{asked.Period.From.ToString("yyyyMMdd", CultureInfo.InvariantCulture)}-{asked.Period.To.ToString("yyyyMMdd", CultureInfo.InvariantCulture)}.xlsx";
        return XlsxExport.File(name, AgentTitles, Cells(rows), cancellationToken);
    }

    private static readonly string[] AgentTitles = ["坐席", "坐席ID", "咨询人数", "会话数", "访客消息数", "坐席消息数", "回复率", "平均首次响应 (秒)", "加好友数"];

    private static IAsyncEnumerable<IReadOnlyList<object?>> Cells(IReadOnlyList<AgentReportRow> rows) => rows.Select(r => (IReadOnlyList<object?>)
    [
        r.Name, r.Figures.AgentId, r.Figures.ConsultingVisitors, r.Figures.Conversations, r.Figures.VisitorMessages, r.Figures.AgentMessages,
        r.Figures.ReplyRate is { } rate ? Math.Round(rate, 4) : "--", r.Figures.AverageFirstResponseSeconds is { } wait ? Math.Round(wait, 1) : "--",
        r.Figures.FriendsAdded,
    ]).ToAsyncEnumerable();

    internal static AgentRowView RowOf(AgentReportRow r) => new(r.Figures.AgentId, r.Name, r.Figures.ConsultingVisitors, r.Figures.Conversations,
        r.Figures.VisitorMessages, r.Figures.AgentMessages, r.Figures.ReplyRate, r.Figures.AverageFirstResponseSeconds, r.Figures.FriendsAdded);

    internal sealed record Asked(string Kind, DashboardPeriod Period);

    /// <summary>The period and account of a request, checked: problem details name the field and the reason.</summary>
    internal static async Task<(Asked Asked, TimeZoneInfo Zone, string? AccountId)> AskedAsync(
        string tenantId, string? period, string? from, string? to, string? accountId, DashboardService dashboard, CancellationToken cancellationToken)
    {
        var checks = new Checks();
        var kindName = string.IsNullOrWhiteSpace(period) ? "today" : period.Trim();
        var kind = checks.OneOf("period", kindName, Periods);
        var first = checks.Date("from", from);
        var last = checks.Date("to", to);
        var account = checks.OptionalText("accountId", accountId, 64);
        if (kindName == "custom")
        {
            if (first is null && !checks.Has("from")) checks.Add("from", "is required for a custom period");
            if (last is null && !checks.Has("to")) checks.Add("to", "is required for a custom period");
            if (first is { } f && last is { } l && l < f) checks.Add("to", "must not be before from");
            else if (first is { } f2 && last is { } l2 && l2.DayNumber - f2.DayNumber + 1 > DashboardPeriod.MaxDays) checks.Add("to", $"must be at most {DashboardPeriod.MaxDays} days after from, counting both");
        }
        else if (from is not null || to is not null) checks.Add(from is not null ? "from" : "to", "is only for period=custom");
        checks.ThrowIfAny();
        var (zone, today) = await dashboard.TodayAsync(tenantId, cancellationToken);
        return (new Asked(kindName, DashboardPeriod.Of(kind, today, first, last)), zone, account);
    }

    internal static PeriodView ViewOf(Asked asked, TimeZoneInfo zone) => new(asked.Kind, DayText(asked.Period.From), DayText(asked.Period.To), zone.Id);

    private static string DayText(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
