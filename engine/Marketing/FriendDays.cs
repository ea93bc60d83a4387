namespace Engine.Marketing;

/// <summary>MK-8: a customer became an agent's friend through a marketing account, at an instant.</summary>
public sealed record FriendAdded(string AccountId, string AgentId, string CustomerId, DateTimeOffset At);

/// <summary>MK-8, DB-1: the friends an agent added through an account on one local day.</summary>
public sealed record FriendDayCount(DateOnly Day, string AccountId, string AgentId, int Friends);

/// <summary>
/// MK-8 and DB-1's "friends added", counted per account, agent and natural day of the tenant's time zone. Pure: the
/// events and the zone come in, nothing is read. A day is the zone's own (<see cref="Engine.Metrics.NaturalDays"/>), so a
/// count never mixes two local dates.
/// </summary>
public static class FriendDays
{
    /// <summary>
    /// The friends per local day, account and agent, ordered by day, account and agent. The same customer added
    /// again to the same agent through the same account counts once, on the day of the first time.
    /// </summary>
    public static IReadOnlyList<FriendDayCount> Count(IEnumerable<FriendAdded> events, TimeZoneInfo zone)
        => [.. events
            .GroupBy(e => (e.AccountId, e.AgentId, e.CustomerId))
            .Select(g => g.MinBy(e => e.At)!)
            .GroupBy(e => (Day: Engine.Metrics.NaturalDays.DayOf(e.At, zone), e.AccountId, e.AgentId))
            .Select(g => new FriendDayCount(g.Key.Day, g.Key.AccountId, g.Key.AgentId, g.Count()))
            .OrderBy(c => c.Day).ThenBy(c => c.AccountId, StringComparer.Ordinal).ThenBy(c => c.AgentId, StringComparer.Ordinal)];
}
