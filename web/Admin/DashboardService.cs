using Engine.Metrics;
using Engine.Persistence.Admin;
using Engine.Persistence.Dashboard;

namespace Engine.Web.Admin;

/// <summary>A day of the period with its figures, for the charts.</summary>
public sealed record DashboardDay(DateOnly Day, DashboardFigures Figures);

/// <summary>DB-1..DB-4 for a period and an account (or all): the figures, the daily series and the funnels.</summary>
public sealed record DashboardReport(
    DashboardPeriod Period, string TimeZone, string? AccountId, DashboardFigures Figures, IReadOnlyList<DashboardDay> Series, DashboardFunnels Funnels);

/// <summary>DB-5: an agent's row, with the agent's name.</summary>
public sealed record AgentReportRow(string Name, AgentFigures Figures);

/// <summary>
/// The dashboard (DB-1..DB-5) from the rollups: the period in the tenant's natural days, each figure and its daily
/// series, the funnels, and the per-agent table. Figures count what has been rolled up: completed conversations (a
/// conversation counts once it completes) and visits.
/// </summary>
public sealed class DashboardService(DashboardStore store, TenantStore tenants, TimeProvider time)
{
    /// <summary>The tenant's zone and today in it.</summary>
    public async Task<(TimeZoneInfo Zone, DateOnly Today)> TodayAsync(string tenantId, CancellationToken cancellationToken)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById((await tenants.GetAsync(tenantId, cancellationToken))?.TimeZone ?? TenantRow.DefaultTimeZone);
        return (zone, NaturalDays.DayOf(time.GetUtcNow(), zone));
    }

    public async Task<DashboardReport> ReportAsync(string tenantId, DashboardPeriod period, TimeZoneInfo zone, string? accountId, CancellationToken cancellationToken)
    {
        var (from, to) = (period.From.DayNumber, period.To.DayNumber);
        var days = (await store.DaysAsync(tenantId, from, to, accountId, cancellationToken)).ToDictionary(d => d.Day, d => d.Counts);
        var visitedPerDay = await store.VisitorsPerDayAsync(tenantId, VisitorScopes.Visited(accountId), from, to, cancellationToken);
        var consultedPerDay = await store.VisitorsPerDayAsync(tenantId, VisitorScopes.Consulted(accountId), from, to, cancellationToken);
        var friends = await FriendsPerDayAsync(tenantId, period, zone, accountId, cancellationToken);

        var series = period.Each().Select(day => new DashboardDay(day, DashboardFigures.Of(
            days.GetValueOrDefault(day.DayNumber, DayCounts.None), visitedPerDay.GetValueOrDefault(day.DayNumber),
            consultedPerDay.GetValueOrDefault(day.DayNumber), friends.GetValueOrDefault(day)))).ToList();

        var visitors = await store.VisitorsAsync(tenantId, VisitorScopes.Visited(accountId), from, to, cancellationToken);
        var consulting = await store.VisitorsAsync(tenantId, VisitorScopes.Consulted(accountId), from, to, cancellationToken);
        var added = friends.Values.Sum();
        var sums = days.Values.Aggregate(DayCounts.None, (a, b) => a.Add(b));
        var funnels = new DashboardFunnels(visitors, consulting, added,
            await store.VisitorsAsync(tenantId, VisitorScopes.Interrupted(accountId), from, to, cancellationToken),
            await store.VisitorsAsync(tenantId, VisitorScopes.Woken(accountId), from, to, cancellationToken));
        return new DashboardReport(period, zone.Id, accountId, DashboardFigures.Of(sums, visitors, consulting, added), series, funnels);
    }

    /// <summary>DB-5: every agent with figures in the period (of one account, or all), by name.</summary>
    public async Task<IReadOnlyList<AgentReportRow>> AgentsAsync(string tenantId, DashboardPeriod period, TimeZoneInfo zone, string? accountId, CancellationToken cancellationToken)
    {
        var (from, to) = (period.From.DayNumber, period.To.DayNumber);
        var sums = (await store.AgentsAsync(tenantId, from, to, accountId, cancellationToken)).ToDictionary(a => a.AgentId, a => a.Counts);
        var consulting = await store.VisitorsPerScopeAsync(tenantId, VisitorScopes.AgentPrefix(accountId), from, to, cancellationToken);
        var (start, end) = NaturalDays.Span(period.From, period.To, zone);
        var friends = (await store.FriendsAsync(tenantId, start.ToUnixTimeMilliseconds(), end.ToUnixTimeMilliseconds(), accountId, cancellationToken))
            .GroupBy(f => f.AgentId).ToDictionary(g => g.Key, g => g.Sum(f => f.Friends));
        var agents = sums.Keys.Union(consulting.Keys).Union(friends.Keys).ToList();
        var named = await store.PeopleAsync(tenantId, agents, cancellationToken);
        return [.. agents
            .Select(id => new AgentReportRow(named.GetValueOrDefault(id, id), AgentFigures.Of(id, sums.GetValueOrDefault(id, DayCounts.None), consulting.GetValueOrDefault(id), friends.GetValueOrDefault(id))))
            .OrderBy(r => r.Name, StringComparer.CurrentCulture).ThenBy(r => r.Figures.AgentId, StringComparer.Ordinal)];
    }

    /// <summary>MK-8's friends added per natural day of the period (quarter hours mapped to the zone's days).</summary>
    private async Task<Dictionary<DateOnly, long>> FriendsPerDayAsync(string tenantId, DashboardPeriod period, TimeZoneInfo zone, string? accountId, CancellationToken cancellationToken)
    {
        var (start, end) = NaturalDays.Span(period.From, period.To, zone);
        return (await store.FriendsAsync(tenantId, start.ToUnixTimeMilliseconds(), end.ToUnixTimeMilliseconds(), accountId, cancellationToken))
            .GroupBy(f => NaturalDays.DayOf(DateTimeOffset.FromUnixTimeMilliseconds(f.Quarter * 900_000), zone))
            .ToDictionary(g => g.Key, g => g.Sum(f => f.Friends));
    }
}
