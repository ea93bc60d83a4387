using Engine.Metrics;

namespace Engine.Tests.Domain;

/// <summary>Issue 16's per-skill-group figures on hand-made counts: service level, ASA, abandonment rate, days merged.</summary>
public sealed class GroupFiguresTests
{
    /// <summary>A period's figures as the writer will keep them: each answered wait summed and put in its bucket.</summary>
    private static GroupFigures Period(long arrivals, long abandoned, params long[] answerWaitsMs)
    {
        var buckets = answerWaitsMs.GroupBy(GroupFigures.WaitBucket).ToDictionary(g => g.Key, g => (long)g.Count());
        return new GroupFigures(arrivals, answerWaitsMs.Length, abandoned, answerWaitsMs.Sum(), buckets);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 1)]
    [InlineData(999, 1)]
    [InlineData(1_000, 1)]
    [InlineData(1_001, 2)]
    [InlineData(20_000, 20)]
    [InlineData(20_001, 21)]
    public void A_wait_goes_to_the_bucket_of_its_seconds_rounded_up(long waitMs, int bucket)
        => Assert.Equal(bucket, GroupFigures.WaitBucket(waitMs));

    [Fact]
    public void A_negative_or_endless_wait_has_no_bucket()
    {
        Assert.Equal("waitMs", Assert.Throws<ArgumentOutOfRangeException>(() => GroupFigures.WaitBucket(-1)).ParamName);
        Assert.Equal("waitMs", Assert.Throws<ArgumentOutOfRangeException>(() => GroupFigures.WaitBucket(long.MaxValue)).ParamName);
        Assert.Equal(int.MaxValue, GroupFigures.WaitBucket(int.MaxValue * 1000L));
    }

    [Fact]
    public void Service_level_is_answered_within_the_threshold_over_answered_and_abandoned_exactly_N_seconds_within()
    {
        // 12 queued: 8 answered, 2 abandoned, 2 still queued or moved on (no outcome here).
        var day = Period(12, 2, 0, 4_100, 5_000, 19_001, 20_000, 20_000, 20_001, 59_000);

        // Within 20 s: 0, 4.1, 5, 19.001, 20 and 20 s; 20.001 s is not.
        Assert.Equal(6 / 10.0, day.ServiceLevel(20));
        Assert.Equal(3 / 10.0, day.ServiceLevel(19));
        Assert.Equal(7 / 10.0, day.ServiceLevel(21));
        Assert.Equal(1 / 10.0, day.ServiceLevel(0));
        Assert.Equal(8 / 10.0, day.ServiceLevel(3_600));
        Assert.Equal("thresholdSeconds", Assert.Throws<ArgumentOutOfRangeException>(() => day.ServiceLevel(-1)).ParamName);
    }

    [Fact]
    public void ASA_is_the_answered_waits_averaged_and_abandonment_is_over_arrivals()
    {
        var day = Period(12, 2, 0, 4_100, 5_000, 19_001, 20_000, 20_000, 20_001, 59_000);

        // (0 + 4,100 + 5,000 + 19,001 + 20,000 + 20,000 + 20,001 + 59,000) ms / 8 = 147,102 / 8 = 18,387.75 ms.
        Assert.Equal(TimeSpan.FromMilliseconds(18_387.75), day.AverageSpeedOfAnswer);
        Assert.Equal(2 / 12.0, day.AbandonmentRate);
    }

    [Fact]
    public void Nothing_to_count_is_shown_as_dashes_not_zero()
    {
        Assert.Equal((null, null, null), (GroupFigures.Empty.ServiceLevel(20), GroupFigures.Empty.AverageSpeedOfAnswer, GroupFigures.Empty.AbandonmentRate));
        // Everyone queued left: no answer to average, and none answered in time.
        var allLeft = Period(3, 3);
        Assert.Equal((0.0, (TimeSpan?)null, 1.0), (allLeft.ServiceLevel(20)!.Value, allLeft.AverageSpeedOfAnswer, allLeft.AbandonmentRate!.Value));
        // Arrivals still waiting at the end of the period: an abandonment rate of 0, no service level yet.
        var stillQueued = Period(4, 0);
        Assert.Equal((null, 0.0), (stillQueued.ServiceLevel(20), stillQueued.AbandonmentRate!.Value));
    }

    [Fact]
    public void Days_merge_by_summing_their_counts_so_the_figures_are_pooled_not_averaged()
    {
        var monday = Period(2, 0, 1_000, 30_000);
        var tuesday = Period(5, 3, 20_000, 1_500);

        var week = GroupFigures.Merge([monday, tuesday, GroupFigures.Empty]);

        Assert.Equal((7L, 4L, 3L, 52_500L), (week.Arrivals, week.Answered, week.Abandoned, week.AnswerWaitMs));
        Assert.Equal(new Dictionary<int, long> { [1] = 1, [2] = 1, [20] = 1, [30] = 1 }, week.AnsweredByWaitSecond);
        // Monday 1/2 and Tuesday 2/5 within 20 s: the week is 3/7, not the mean of the days.
        Assert.Equal((0.5, 0.4), (monday.ServiceLevel(20)!.Value, tuesday.ServiceLevel(20)!.Value));
        Assert.Equal(3 / 7.0, week.ServiceLevel(20));
        Assert.Equal(TimeSpan.FromMilliseconds(52_500 / 4.0), week.AverageSpeedOfAnswer);
        Assert.Equal(3 / 7.0, week.AbandonmentRate);

        // Two days in one bucket add up.
        Assert.Equal(2L, GroupFigures.Merge([monday, monday]).AnsweredByWaitSecond[30]);
    }

    [Fact]
    public void Merging_no_days_gives_empty_figures()
    {
        var none = GroupFigures.Merge([]);
        Assert.Equal((0L, 0L, 0L, 0L), (none.Arrivals, none.Answered, none.Abandoned, none.AnswerWaitMs));
        Assert.Empty(none.AnsweredByWaitSecond);
    }
}
