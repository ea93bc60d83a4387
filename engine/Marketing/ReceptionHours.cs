namespace Engine.Marketing;

/// <summary>
/// One reception range of a weekday (MK-3), in minutes after the local midnight: <see cref="From"/> 0..1439,
/// <see cref="To"/> 1..1440. A range whose end is not after its start runs over midnight into the next day
/// (Friday 22:00–02:00 covers Friday night and the first two hours of Saturday).
/// </summary>
public sealed record HoursRange(DayOfWeek Day, int From, int To)
{
    public bool OverMidnight => To <= From;

    /// <summary>How long the range lasts, in minutes.</summary>
    public int Length => OverMidnight ? 1440 - From + To : To - From;
}

/// <summary>
/// MK-3 reception hours in the tenant's time zone: per weekday, one or more ranges. Pure: the instant to judge is
/// passed in, and local times come from the zone's own rules (a start inside a skipped hour opens when the clock
/// reaches it).
/// </summary>
public sealed class ReceptionHours
{
    public const int MaxRangesPerDay = 5;

    /// <summary>Every day, all day: what a new account starts with.</summary>
    public static readonly IReadOnlyList<HoursRange> AllWeek = [.. Enum.GetValues<DayOfWeek>().Select(d => new HoursRange(d, 0, 1440))];

    private readonly IReadOnlyList<HoursRange> _ranges;
    private readonly TimeZoneInfo _zone;

    public ReceptionHours(IReadOnlyList<HoursRange> ranges, TimeZoneInfo zone)
    {
        if (Problems(ranges).FirstOrDefault() is { } problem) throw new ArgumentException(problem, nameof(ranges));
        (_ranges, _zone) = (ranges, zone);
    }

    /// <summary>Whether the account receives at <paramref name="now"/>.</summary>
    public bool IsOpen(DateTimeOffset now)
    {
        var local = TimeZoneInfo.ConvertTime(now, _zone).DateTime;
        return Instances(local.Date.AddDays(-1), 2).Any(i => i.Start <= local && local < i.End);
    }

    /// <summary>When the account next begins to receive after <paramref name="now"/> (now when open); null when it has no hours at all.</summary>
    public DateTimeOffset? NextOpening(DateTimeOffset now)
    {
        if (IsOpen(now)) return now;
        var local = TimeZoneInfo.ConvertTime(now, _zone).DateTime;
        var next = Instances(local.Date, 8).Where(i => i.Start > local).Select(i => (DateTime?)i.Start).Min();
        return next is { } start ? ToInstant(start) : null;
    }

    /// <summary>What is wrong with a set of ranges, each as one sentence; empty when they can be used.</summary>
    public static IEnumerable<string> Problems(IReadOnlyList<HoursRange> ranges)
    {
        foreach (var r in ranges)
        {
            if (!Enum.IsDefined(r.Day)) yield return "names a day that is not a weekday";
            else if (r.From is < 0 or > 1439 || r.To is < 1 or > 1440) yield return $"has a time out of the day on {r.Day}";
            else if (r.From == r.To) yield return $"has a range on {r.Day} that starts and ends at the same time";
        }
        foreach (var day in ranges.GroupBy(r => r.Day))
        {
            if (day.Count() > MaxRangesPerDay) yield return $"has more than {MaxRangesPerDay} ranges on {day.Key}";
            var sorted = day.OrderBy(r => r.From).ToList();
            for (var i = 1; i < sorted.Count; i++)
                if (sorted[i].From < sorted[i - 1].From + sorted[i - 1].Length) yield return $"has overlapping ranges on {day.Key}";
        }
    }

    private IEnumerable<(DateTime Start, DateTime End)> Instances(DateTime firstDay, int days)
    {
        for (var d = 0; d < days; d++)
        {
            var date = firstDay.AddDays(d);
            foreach (var r in _ranges)
                if (r.Day == date.DayOfWeek)
                {
                    var start = date.AddMinutes(r.From);
                    yield return (start, start.AddMinutes(r.Length));
                }
        }
    }

    private DateTimeOffset ToInstant(DateTime local)
    {
        // A start the clock skips (a daylight-saving gap) opens at the first valid minute after it.
        while (_zone.IsInvalidTime(local)) local = local.AddMinutes(1);
        return new DateTimeOffset(local, _zone.GetUtcOffset(local));
    }
}
