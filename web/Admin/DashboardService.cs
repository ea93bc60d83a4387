using Engine.Metrics;
using Engine.Persistence.Admin;
using Engine.Persistence.Dashboard;

namespace Engine.Web.Admin;

/// <summary>A day of the period with its figures, for the charts.</summary>
public sealed record DashboardDay(DateOnly Day, DashboardFigures Figures);

/// <summary>DB-1..DB-4 for a period and an account (or all): the figures, the daily series and the funnels.</summary>
public sealed record DashboardReport(
    DashboardPeriod Period, string TimeZone, string? AccountId, DashboardFigures Figures, IReadOnlyList<DashboardDay> Series, DashboardFunnels Funnels);

/// <summary>
/// A skill group's service figures over the period, and an Erlang-C staffing suggestion from the last hour's arrivals
/// and average handle time (null when nothing arrived or was handled to take a handle time from).
/// </summary>
public sealed record GroupReportRow(string GroupId, string Name, GroupFigures Figures, long ArrivalsLastHour, double? AhtSeconds, StaffingSuggestion? Staffing);

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

    /// <summary>
    /// The skill groups with arrivals in the period: service level within <paramref name="answerWithin"/>, speed of
    /// answer, abandonment, and the agents Erlang C asks for to answer <paramref name="target"/> of them within that
    /// time at the last hour's rate. The handle time is the last hour's, or the period's when none was handled in the hour.
    /// </summary>
    public async Task<IReadOnlyList<GroupReportRow>> GroupsAsync(string tenantId, DashboardPeriod period, TimeSpan answerWithin, double target, CancellationToken cancellationToken)
    {
        var (from, to) = (period.From.DayNumber, period.To.DayNumber);
        var sums = await store.GroupsAsync(tenantId, from, to, cancellationToken);
        var waits = await store.AnswerWaitsAsync(tenantId, from, to, cancellationToken);
        var hour = (await store.LastHourAsync(tenantId, (time.GetUtcNow() - TimeSpan.FromHours(1)).ToUnixTimeMilliseconds(), cancellationToken)).ToDictionary(h => h.GroupId);
        var ids = sums.Select(g => g.GroupId).Union(hour.Keys).ToList();
        var named = await store.GroupNamesAsync(tenantId, ids, cancellationToken);
        var byId = sums.ToDictionary(g => g.GroupId);
        return [.. ids.Select(id =>
        {
            var g = byId.GetValueOrDefault(id) ?? new GroupSums { GroupId = id };
            var figures = new GroupFigures(g.Arrivals, g.Answered, g.Abandoned, g.AnswerWaitMs,
                (waits.GetValueOrDefault(id) ?? []).ToDictionary(w => w.Second, w => w.Answered));
            var last = hour.GetValueOrDefault(id);
            var arrivals = last?.Arrivals ?? 0;
            double? aht = last is { Handled: > 0 } ? (double)last.HandleMs / last.Handled / 1000 : g.Handled > 0 ? (double)g.HandleMs / g.Handled / 1000 : null;
            var staffing = aht is > 0 ? ErlangC.Suggest(arrivals, TimeSpan.FromHours(1), TimeSpan.FromSeconds(aht.Value), target, answerWithin) : null;
            return new GroupReportRow(id, named.GetValueOrDefault(id, id), figures, arrivals, aht, staffing);
        }).OrderBy(r => r.Name, StringComparer.CurrentCulture)];
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
