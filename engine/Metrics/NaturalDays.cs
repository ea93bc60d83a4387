namespace Engine.Metrics;

/// <summary>
/// DB-1's natural days: days of the tenant's time zone, each the zone's own (a day with a daylight-saving change is 23
/// or 25 hours long). Pure: the instant and the zone come in.
/// </summary>
public static class NaturalDays
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
}
