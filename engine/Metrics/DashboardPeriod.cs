namespace Engine.Metrics;

/// <summary>DB-1's periods.</summary>
public enum PeriodKind
{
    Today,

    /// <summary>This week, Monday to today.</summary>
    Week,

    /// <summary>This month, the 1st to today.</summary>
    Month,

    /// <summary>This year, January 1st to today.</summary>
    Year,

    /// <summary>A range of natural days the admin chose, both ends included.</summary>
    Custom,
}

/// <summary>A period of natural days of the tenant's zone, both ends included.</summary>
public sealed record DashboardPeriod(DateOnly From, DateOnly To)
{
    /// <summary>The longest custom range: a year and a day (a leap year's whole).</summary>
    public const int MaxDays = 366;

    public int Days => To.DayNumber - From.DayNumber + 1;

    /// <summary>The days of the period, in order.</summary>
    public IEnumerable<DateOnly> Each() => Enumerable.Range(0, Days).Select(From.AddDays);

    /// <summary>The period of <paramref name="kind"/> that contains <paramref name="today"/> up to it; a custom one is taken as given.</summary>
    public static DashboardPeriod Of(PeriodKind kind, DateOnly today, DateOnly? from = null, DateOnly? to = null) => kind switch
    {
        PeriodKind.Today => new(today, today),
        PeriodKind.Week => new(today.AddDays(-(((int)today.DayOfWeek + 6) % 7)), today),
        PeriodKind.Month => new(new DateOnly(today.Year, today.Month, 1), today),
        PeriodKind.Year => new(new DateOnly(today.Year, 1, 1), today),
        PeriodKind.Custom when from is { } f && to is { } t && f <= t && t.DayNumber - f.DayNumber < MaxDays => new(f, t),
        PeriodKind.Custom => throw new ArgumentOutOfRangeException(nameof(from), $"A custom period needs from ≤ to, at most {MaxDays} days."),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a period."),
    };
}

/// <summary>DB-1's figures of a period (or of one of its days); reply rate and first response null ("--") when nothing was counted.</summary>
public sealed record DashboardFigures(
    long Visits, long Visitors, long Conversations, long ConsultingVisitors, long VisitorMessages,
    double? ReplyRate, double? AverageFirstResponseSeconds, long FriendsAdded)
{
    public static DashboardFigures Of(DayCounts sums, long visitors, long consultingVisitors, long friendsAdded)
    {
        var replies = sums.Replies;
        return new(sums.Visits, visitors, sums.Conversations, consultingVisitors, sums.VisitorMessages, replies.ReplyRate,
            replies.AverageFirstResponse?.TotalSeconds, friendsAdded);
    }
}

/// <summary>DB-4's two funnels over a period: each step's distinct visitors (friends added counted as added).</summary>
public sealed record DashboardFunnels(long Visitors, long ConsultingVisitors, long FriendsAdded, long Interrupted, long Woken);

/// <summary>DB-5: one agent's row.</summary>
public sealed record AgentFigures(
    string AgentId, long ConsultingVisitors, long Conversations, long VisitorMessages, long AgentMessages,
    double? ReplyRate, double? AverageFirstResponseSeconds, long FriendsAdded)
{
    public static AgentFigures Of(string agentId, DayCounts sums, long consultingVisitors, long friendsAdded)
    {
        var replies = sums.Replies;
        return new(agentId, consultingVisitors, sums.Conversations, sums.VisitorMessages, sums.AgentMessages, replies.ReplyRate,
            replies.AverageFirstResponse?.TotalSeconds, friendsAdded);
    }
}
