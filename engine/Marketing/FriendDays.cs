namespace Engine.Marketing;

/// <summary>MK-8: a customer became an agent's friend through a marketing account, at an instant.</summary>
public sealed record FriendAdded(string AccountId, string AgentId, string CustomerId, DateTimeOffset At);

/// <summary>MK-8, DB-1: the friends an agent added through an account on one local day.</summary>
public sealed record FriendDayCount(DateOnly Day, string AccountId, string AgentId, int Friends);

/// <summary>
/// MK-8 and DB-1's "friends added", counted per account, agent and natural day of the tenant's time zone. Pure: the
/// events and the zone come in, nothing is read. A day is the zone's own (a day with a daylight-saving change is 23
/// or 25 hours long), so a count never mixes two local dates.
/// </summary>
public static class FriendDays
{
    /// <summary>The local date on which <paramref name="at"/> falls in <paramref name="zone"/>.</summary>
    public static DateOnly DayOf(DateTimeOffset at, TimeZoneInfo zone) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, zone).DateTime);

    /// <summary>
    /// The first instant of the local date <paramref name="day"/>. A day whose midnight the clocks skip begins when
    /// they go on; a midnight that comes twice (clocks turned back over it) begins at its first coming.
    /// </summary>
    public static DateTimeOffset StartOf(DateOnly day, TimeZoneInfo zone)
    {
        var local = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        // Gaps are whole quarter hours in every zone in use.
        while (zone.IsInvalidTime(local)) local = local.AddMinutes(15);
        var offset = zone.IsAmbiguousTime(local) ? zone.GetAmbiguousTimeOffsets(local).Max() : zone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset);
    }

    /// <summary>The instants of the local dates <paramref name="from"/> to <paramref name="to"/>, both included: [start, end).</summary>
    public static (DateTimeOffset Start, DateTimeOffset End) Span(DateOnly from, DateOnly to, TimeZoneInfo zone)
        => (StartOf(from, zone), StartOf(to.AddDays(1), zone));

    /// <summary>
    /// The friends per local day, account and agent, ordered by day, account and agent. The same customer added
    /// again to the same agent through the same account counts once, on the day of the first time.
    /// </summary>
    public static IReadOnlyList<FriendDayCount> Count(IEnumerable<FriendAdded> events, TimeZoneInfo zone)
        => [.. events
            .GroupBy(e => (e.AccountId, e.AgentId, e.CustomerId))
            .Select(g => g.MinBy(e => e.At)!)
            .GroupBy(e => (Day: DayOf(e.At, zone), e.AccountId, e.AgentId))
            .Select(g => new FriendDayCount(g.Key.Day, g.Key.AccountId, g.Key.AgentId, g.Count()))
            .OrderBy(c => c.Day).ThenBy(c => c.AccountId, StringComparer.Ordinal).ThenBy(c => c.AgentId, StringComparer.Ordinal)];
}
