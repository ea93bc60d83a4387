using Engine.Marketing;

namespace Engine.Tests.Domain;

/// <summary>MK-3 reception hours in the tenant's time zone, and MK-5's prompts as the visitor reads and answers them.</summary>
public sealed class MarketingRuleTests
{
    private static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    /// <summary>A Shanghai wall-clock time (UTC+8, no daylight saving) as an instant.</summary>
    private static DateTimeOffset Local(int day, int hour, int minute = 0) => new(2026, 12, day, hour, minute, 0, TimeSpan.FromHours(8));

    private static HoursRange Range(DayOfWeek day, string from, string to) => new(day, Minutes(from), to == "24:00" ? 1440 : Minutes(to));

    private static int Minutes(string clock) => int.Parse(clock[..2]) * 60 + int.Parse(clock[3..]);

    [Fact]
    public void MK3_Hours_are_read_in_the_tenants_zone_not_in_UTC()
    {
        // 2026-12-07 is a Monday. Monday 09:00–18:00 in Shanghai is 01:00–10:00 UTC.
        var hours = new ReceptionHours([Range(DayOfWeek.Monday, "09:00", "18:00")], Shanghai);
        Assert.False(hours.IsOpen(Local(7, 8, 59)));
        Assert.True(hours.IsOpen(Local(7, 9)));
        Assert.True(hours.IsOpen(new DateTimeOffset(2026, 12, 7, 9, 59, 0, TimeSpan.Zero)));
        Assert.False(hours.IsOpen(new DateTimeOffset(2026, 12, 7, 10, 0, 0, TimeSpan.Zero)));
        // The same hours in Berlin open seven hours later in absolute time.
        var berlin = new ReceptionHours([Range(DayOfWeek.Monday, "09:00", "18:00")], TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin"));
        Assert.False(berlin.IsOpen(Local(7, 9)));
        Assert.True(berlin.IsOpen(Local(7, 16)));
    }

    [Fact]
    public void MK3_A_range_over_midnight_covers_the_night_into_the_next_day()
    {
        // Friday 22:00–02:00: Friday night and the first two hours of Saturday (2026-12-11 is a Friday).
        var hours = new ReceptionHours([Range(DayOfWeek.Friday, "22:00", "02:00")], Shanghai);
        Assert.False(hours.IsOpen(Local(11, 21, 59)));
        Assert.True(hours.IsOpen(Local(11, 22)));
        Assert.True(hours.IsOpen(Local(12, 0)));
        Assert.True(hours.IsOpen(Local(12, 1, 59)));
        Assert.False(hours.IsOpen(Local(12, 2)));
        // Not Thursday night: the range belongs to Friday.
        Assert.False(hours.IsOpen(Local(11, 1)));
    }

    [Fact]
    public void MK4_The_next_opening_is_when_the_robot_hands_visitors_to_staff()
    {
        var hours = new ReceptionHours([Range(DayOfWeek.Monday, "09:00", "12:00"), Range(DayOfWeek.Monday, "14:00", "18:00"), Range(DayOfWeek.Friday, "22:00", "02:00")], Shanghai);
        Assert.Equal(Local(7, 14), hours.NextOpening(Local(7, 12, 30)));
        Assert.Equal(Local(7, 10), hours.NextOpening(Local(7, 10)));
        Assert.Equal(Local(11, 22), hours.NextOpening(Local(7, 18)));
        // Saturday after the night range: the next Monday morning.
        Assert.Equal(Local(14, 9), hours.NextOpening(Local(12, 2)));
        Assert.Null(new ReceptionHours([], Shanghai).NextOpening(Local(7, 9)));
        Assert.True(new ReceptionHours(ReceptionHours.AllWeek, Shanghai).IsOpen(Local(12, 3, 33)));
    }

    [Fact]
    public void MK3_Ranges_that_overlap_on_a_day_or_start_where_they_end_are_refused()
    {
        Assert.Contains("overlapping", Assert.Single(ReceptionHours.Problems([Range(DayOfWeek.Monday, "09:00", "12:00"), Range(DayOfWeek.Monday, "11:59", "13:00")])), StringComparison.Ordinal);
        Assert.NotEmpty(ReceptionHours.Problems([Range(DayOfWeek.Monday, "09:00", "09:00")]));
        Assert.Empty(ReceptionHours.Problems([Range(DayOfWeek.Monday, "09:00", "12:00"), Range(DayOfWeek.Monday, "12:00", "13:00"), Range(DayOfWeek.Tuesday, "22:00", "02:00")]));
        Assert.Throws<ArgumentException>(() => new ReceptionHours([Range(DayOfWeek.Monday, "09:00", "09:00")], Shanghai));
    }

    [Theory]
    [InlineData("1", "课程咨询")]
    [InlineData(" 2 ", "退款")]
    [InlineData("退款", "退款")]
    [InlineData("3", null)]
    [InlineData("0", null)]
    [InlineData("我想退款", null)]
    public void MK5_A_visitor_picks_a_welcome_menu_item_by_its_number_or_its_text(string answer, string? picked)
    {
        var prompts = AccountPrompts.Defaults with { Welcome = new WelcomePrompt(true, "您好", ["课程咨询", "退款"]) };
        Assert.Equal(picked, prompts.MenuChoice(answer));
        Assert.Equal("您好\n1. 课程咨询\n2. 退款", prompts.WelcomeText());
    }

    [Fact]
    public void MK5_The_prompts_default_to_welcome_on_queue_off_no_agent_on_end_off()
    {
        var defaults = AccountPrompts.Defaults;
        Assert.Equal((true, false, true, false), (defaults.Welcome.Enabled, defaults.Queue.Enabled, defaults.NoAgent.Enabled, defaults.End.Enabled));
        Assert.Contains(AccountPrompts.WaitNo, defaults.Queue.Text, StringComparison.Ordinal);
    }
}
