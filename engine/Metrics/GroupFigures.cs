namespace Engine.Metrics;

/// <summary>
/// A skill group's additive counts for a period (the store keeps one per natural day; <see cref="Merge"/> sums days):
/// conversations queued to the group (<see cref="Arrivals"/>), answered by an agent, abandoned (the customer left while
/// queued or offered), the total answer wait of the answered ones in milliseconds, and the answered ones by whole-second
/// wait bucket (<see cref="WaitBucket"/>: second → count). A figure with nothing to count is null, shown as "--".
/// </summary>
public sealed record GroupFigures(long Arrivals, long Answered, long Abandoned, long AnswerWaitMs, IReadOnlyDictionary<int, long> AnsweredByWaitSecond)
{
    /// <summary>Nothing arrived, answered or abandoned: what <see cref="Merge"/> of no days gives.</summary>
    public static GroupFigures Empty { get; } = new(0, 0, 0, 0, new SortedDictionary<int, long>());

    /// <summary>
    /// The share of conversations answered within <paramref name="thresholdSeconds"/> (a wait of exactly that long
    /// counts as within) among those answered or abandoned. Abandons count against the group: a customer who gave up
    /// was not answered in time, and leaving them out would reward a queue that drives customers away. Conversations
    /// still queued when the period ends, or moved to another group, have no outcome here and count in neither part.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative threshold.</exception>
    public double? ServiceLevel(int thresholdSeconds)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(thresholdSeconds);
        var outcomes = Answered + Abandoned;
        if (outcomes == 0) return null;
        var within = AnsweredByWaitSecond.Where(bucket => bucket.Key <= thresholdSeconds).Sum(bucket => bucket.Value);
        return (double)within / outcomes;
    }

    /// <summary>Average speed of answer: the answered conversations' total answer wait over their number; null when none was answered.</summary>
    public TimeSpan? AverageSpeedOfAnswer => Answered == 0 ? null : TimeSpan.FromMilliseconds((double)AnswerWaitMs / Answered);

    /// <summary>Abandoned over arrivals; null when nothing arrived.</summary>
    public double? AbandonmentRate => Arrivals == 0 ? null : (double)Abandoned / Arrivals;

    /// <summary>Several periods' counts (days, say) as one: every count and every bucket summed.</summary>
    public static GroupFigures Merge(IEnumerable<GroupFigures> periods)
    {
        var (arrivals, answered, abandoned, waitMs) = (0L, 0L, 0L, 0L);
        var buckets = new SortedDictionary<int, long>();
        foreach (var period in periods)
        {
            arrivals += period.Arrivals;
            answered += period.Answered;
            abandoned += period.Abandoned;
            waitMs += period.AnswerWaitMs;
            foreach (var (second, count) in period.AnsweredByWaitSecond) buckets[second] = buckets.GetValueOrDefault(second) + count;
        }
        return new(arrivals, answered, abandoned, waitMs, buckets);
    }

    /// <summary>
    /// The whole-second bucket of an answer wait: the wait in seconds rounded up, so 0 ms is bucket 0, 1–1000 ms bucket 1
    /// and 1001 ms bucket 2; bucket ≤ N is then exactly "answered within N s".
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative wait, or one too long for an <see cref="int"/> of seconds.</exception>
    public static int WaitBucket(long waitMs)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(waitMs);
        var seconds = waitMs / 1000 + (waitMs % 1000 == 0 ? 0 : 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(seconds, int.MaxValue, nameof(waitMs));
        return (int)seconds;
    }
}
