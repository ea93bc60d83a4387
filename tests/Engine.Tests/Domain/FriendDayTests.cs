using Engine.Marketing;

namespace Engine.Tests.Domain;

/// <summary>MK-8 and DB-1: friends added, counted per account, agent and natural day of the tenant's time zone.</summary>
public sealed class FriendDayTests
{
    private static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    private static DateTimeOffset Utc(int month, int day, int hour, int minute = 0, int second = 0) => new(2026, month, day, hour, minute, second, TimeSpan.Zero);

    private static FriendAdded Added(string account, string agent, string customer, DateTimeOffset at) => new(account, agent, customer, at);

    [Fact]
    public void MK8_A_Shanghai_day_ends_at_16_00_UTC()
    {
        var counts = FriendDays.Count([Added("shop", "ann", "c1", Utc(3, 10, 15, 59, 59)), Added("shop", "ann", "c2", Utc(3, 10, 16, 0, 0))], Shanghai);
        Assert.Equal(
            [new FriendDayCount(new DateOnly(2026, 3, 10), "shop", "ann", 1), new FriendDayCount(new DateOnly(2026, 3, 11), "shop", "ann", 1)],
            counts);
        Assert.Equal(Utc(3, 10, 16), Engine.Metrics.NaturalDays.StartOf(new DateOnly(2026, 3, 11), Shanghai));
    }

    [Fact]
    public void MK8_Friends_are_counted_apart_per_account_and_per_agent_and_ordered_by_day_account_agent()
    {
        var day = Utc(5, 1, 2);
        var counts = FriendDays.Count(
        [
            Added("shop", "bob", "c1", day), Added("live", "ann", "c1", day), Added("shop", "ann", "c1", day),
            Added("shop", "ann", "c2", day.AddHours(1)), Added("shop", "ann", "c3", day.AddDays(-1)),
        ], Shanghai);
        Assert.Equal(
        [
            new FriendDayCount(new DateOnly(2026, 4, 30), "shop", "ann", 1),
            new FriendDayCount(new DateOnly(2026, 5, 1), "live", "ann", 1),
            new FriendDayCount(new DateOnly(2026, 5, 1), "shop", "ann", 2),
            new FriendDayCount(new DateOnly(2026, 5, 1), "shop", "bob", 1),
        ], counts);
    }

    [Fact]
    public void MK8_The_same_customer_added_again_to_the_same_agent_through_the_same_account_counts_once_on_the_first_day()
    {
        var counts = FriendDays.Count(
            [Added("shop", "ann", "c1", Utc(6, 2, 1)), Added("shop", "ann", "c1", Utc(6, 1, 1)), Added("shop", "ann", "c1", Utc(6, 1, 1))], Shanghai);
        Assert.Equal([new FriendDayCount(new DateOnly(2026, 6, 1), "shop", "ann", 1)], counts);
        Assert.Empty(FriendDays.Count([], Shanghai));
    }

    [Fact]
    public void MK8_A_day_of_a_daylight_saving_change_is_the_zones_own_day()
    {
        // Berlin goes to summer time on 2026-03-29 at 02:00 local: that day lasts 23 hours.
        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        var (start, end) = Engine.Metrics.NaturalDays.Span(new DateOnly(2026, 3, 29), new DateOnly(2026, 3, 29), berlin);
        Assert.Equal((Utc(3, 28, 23), Utc(3, 29, 22)), (start, end));
        Assert.Equal(new DateOnly(2026, 3, 29), Engine.Metrics.NaturalDays.DayOf(Utc(3, 29, 21, 59, 59), berlin));
        Assert.Equal(new DateOnly(2026, 3, 30), Engine.Metrics.NaturalDays.DayOf(Utc(3, 29, 22), berlin));

        // Santiago skips its midnight on 2026-09-06 (00:00 becomes 01:00): the day begins when the clocks go on.
        var santiago = TimeZoneInfo.FindSystemTimeZoneById("America/Santiago");
        Assert.Equal(Utc(9, 6, 4), Engine.Metrics.NaturalDays.StartOf(new DateOnly(2026, 9, 6), santiago));
        Assert.Equal(new DateOnly(2026, 9, 5), Engine.Metrics.NaturalDays.DayOf(Utc(9, 6, 3, 59, 59), santiago));
        Assert.Equal(new DateOnly(2026, 9, 6), Engine.Metrics.NaturalDays.DayOf(Utc(9, 6, 4), santiago));
    }

    [Fact]
    public void MK8_A_span_of_local_dates_includes_both_ends()
    {
        var (start, end) = Engine.Metrics.NaturalDays.Span(new DateOnly(2026, 1, 1), new DateOnly(2026, 1, 31), Shanghai);
        Assert.Equal((Utc(1, 1, 0).AddHours(-8), Utc(2, 1, 0).AddHours(-8)), (start, end));
    }
}
