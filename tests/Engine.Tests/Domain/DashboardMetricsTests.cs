using Engine.Conversations;
using Engine.Metrics;

namespace Engine.Tests.Domain;

/// <summary>DB-2, DB-3 and DB-4's wake-up funnel on hand-made histories with known answers, in Shanghai's natural days.</summary>
public sealed class DashboardMetricsTests
{
    private static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    /// <summary>2026-12-07 in UTC at the given time.</summary>
    private static DateTimeOffset Utc(int hour, int minute = 0, int second = 0, int day = 7) => new(2026, 12, day, hour, minute, second, TimeSpan.Zero);

    private static MessageFact Visitor(DateTimeOffset at) => new(MessageSender.Visitor, at);

    private static MessageFact Agent(DateTimeOffset at) => new(MessageSender.Agent, at, "a1");

    private static ConversationFacts Conversation(string id, params MessageFact[] messages) => new(id, "v-" + id, "acc", "a1", messages.Min(m => m.At), messages);

    [Fact]
    public void DB2_DB3_Only_conversations_the_customer_began_count_and_the_first_response_is_averaged_over_the_replied_ones()
    {
        var figures = ReplyMetrics.Summarize(
        [
            Conversation("answered-in-1-min", Visitor(Utc(2)), Agent(Utc(2, 1)), Visitor(Utc(2, 2)), Agent(Utc(2, 30))),
            Conversation("answered-in-3-min", Visitor(Utc(3)), Visitor(Utc(3, 1)), Agent(Utc(3, 3))),
            Conversation("never-answered", Visitor(Utc(4))),
            // The agent wrote first (an invitation): the customer never wrote first, so it is not counted.
            Conversation("agent-first", Agent(Utc(5)), Visitor(Utc(5, 1)), Agent(Utc(5, 2))),
            // Prompts and the robot are not an agent's reply.
            Conversation("robot-only", Visitor(Utc(6)), new MessageFact(MessageSender.System, Utc(6, 0, 1))),
        ]);
        Assert.Equal((4, 2), (figures.Counted, figures.Replied));
        Assert.Equal(0.5, figures.ReplyRate);
        Assert.Equal(TimeSpan.FromMinutes(2), figures.AverageFirstResponse);
    }

    [Fact]
    public void DB2_DB3_Nothing_counted_is_shown_as_dashes_not_zero()
    {
        var none = ReplyMetrics.Summarize([Conversation("agent-first", Agent(Utc(5)), Visitor(Utc(5, 1)))]);
        Assert.Equal((0, null, null), (none.Counted, none.ReplyRate, none.AverageFirstResponse));
        var unanswered = ReplyMetrics.Summarize([Conversation("unanswered", Visitor(Utc(5)))]);
        Assert.Equal((0.0, (TimeSpan?)null), (unanswered.ReplyRate, unanswered.AverageFirstResponse));
    }

    [Fact]
    public void DB2_A_conversation_counts_for_the_Shanghai_day_of_its_first_customer_message_even_when_the_reply_comes_after_midnight()
    {
        var days = ReplyMetrics.PerDay(
        [
            // 15:59:59 UTC is 23:59:59 on the 7th in Shanghai; the reply comes 20 minutes later, on the 8th.
            Conversation("late", Visitor(Utc(15, 59, 59)), Agent(Utc(16, 19, 59))),
            // 16:00:00 UTC is midnight: the 8th.
            Conversation("midnight", Visitor(Utc(16)), Agent(Utc(16, 1))),
        ], Shanghai);
        Assert.Equal([new DateOnly(2026, 12, 7), new DateOnly(2026, 12, 8)], days.Select(d => d.Day));
        Assert.Equal((1, 1.0, TimeSpan.FromMinutes(20)), (days[0].Figures.Counted, days[0].Figures.ReplyRate!.Value, days[0].Figures.AverageFirstResponse!.Value));
        Assert.Equal(TimeSpan.FromMinutes(1), days[1].Figures.AverageFirstResponse);
    }

    [Fact]
    public void DB4_Six_hours_of_silence_after_an_agent_interrupts_a_visitor_and_writing_again_wakes_them()
    {
        var agent = Utc(2);
        // Exactly 6 h without a reply interrupts; writing then wakes.
        Assert.Equal(new WakeUpStage(true, true, true), WakeUp.StageOf([Visitor(Utc(1)), Agent(agent), Visitor(agent + WakeUp.Offline)], Utc(23)));
        // 6 h less a second is no interruption.
        Assert.Equal(new WakeUpStage(true, false, false), WakeUp.StageOf([Visitor(Utc(1)), Agent(agent), Visitor(agent + WakeUp.Offline - TimeSpan.FromSeconds(1))], Utc(23)));
        // Still silent: interrupted from 6 h on, judged at the moment asked, not woken.
        Assert.Equal(new WakeUpStage(true, false, false), WakeUp.StageOf([Visitor(Utc(1)), Agent(agent)], agent + WakeUp.Offline - TimeSpan.FromSeconds(1)));
        Assert.Equal(new WakeUpStage(true, true, false), WakeUp.StageOf([Visitor(Utc(1)), Agent(agent)], agent + WakeUp.Offline));
        // The silence counts from the agent's first unanswered message; 6 h + 1 s later is interrupted and woken.
        Assert.Equal(new WakeUpStage(true, true, true), WakeUp.StageOf([Visitor(Utc(1)), Agent(agent), Agent(agent.AddHours(3)), Visitor(agent + WakeUp.Offline + TimeSpan.FromSeconds(1))], Utc(23)));
        // A visitor who never wrote did not consult, whatever the agent sent.
        Assert.Equal(new WakeUpStage(false, false, false), WakeUp.StageOf([Agent(agent)], Utc(23)));
    }

    [Fact]
    public void DB4_A_silence_carried_to_the_visitors_next_conversation_is_counted_once_and_wakes_them_there()
    {
        var since = Utc(2);
        // The first conversation ends with the agent's message unanswered; the roll-up sees it 6 h later: interrupted once.
        var (first, watch) = WakeUp.Advance(null, "acc", [Visitor(Utc(1)), Agent(since)], since + WakeUp.Offline);
        Assert.Equal([new WakeUpEvent(false, since, "acc")], first);
        Assert.Equal(new WakeUpWatch(since, "acc", true), watch);
        // The next conversation, 7 h later: woken there, not interrupted again.
        var (second, after) = WakeUp.Advance(watch, null, [Visitor(since.AddHours(7))], since.AddHours(8));
        Assert.Equal([new WakeUpEvent(true, since.AddHours(7), null)], second);
        Assert.Null(after);
        // Read before the 6 h were up, the watch goes on unjudged.
        var (none, pending) = WakeUp.Advance(null, "acc", [Visitor(Utc(1)), Agent(since)], since.AddHours(1));
        Assert.Empty(none);
        Assert.False(WakeUp.Lapsed(pending, since + WakeUp.Offline - TimeSpan.FromSeconds(1)));
        Assert.True(WakeUp.Lapsed(pending, since + WakeUp.Offline));
    }

    [Fact]
    public void DB1_A_conversation_across_midnight_adds_to_the_day_it_began_and_its_messages_to_the_days_they_were_sent()
    {
        var conversation = new CompletedConversation(
            Conversation("late", Visitor(Utc(15, 59, 59)), Agent(Utc(16, 19, 59)), Visitor(Utc(16, 30))), "g1", Utc(15, 59, 59), Utc(16, 40), Abandoned: false);
        var delta = DashboardRollup.OfConversation(conversation, null, Utc(23), Shanghai);
        var days = delta.Days.ToDictionary(d => d.Key.Day, d => d.Counts);
        var (seventh, eighth) = (new DateOnly(2026, 12, 7), new DateOnly(2026, 12, 8));
        Assert.Equal(new DayCounts(Conversations: 1, VisitorMessages: 1, Counted: 1, Replied: 1, FirstResponseMs: 1_200_000), days[seventh]);
        Assert.Equal(new DayCounts(VisitorMessages: 1, AgentMessages: 1), days[eighth]);
        Assert.Equal(["c", "c:acc", "g:a1", "ga:acc/a1"], delta.Visitors.Where(v => v.Day == eighth).Select(v => v.Scope).Order(StringComparer.Ordinal));
        var group = Assert.Single(delta.Groups);
        Assert.Equal((seventh, 1L, 1L, 0L, 0L, 2_401_000L, 0), (group.Day, group.Arrivals, group.Answered, group.Abandoned, group.AnswerWaitMs, group.HandleMs, group.WaitSecond!.Value));
    }

    [Theory]
    [InlineData("today", "2026-12-09", "2026-12-09")]
    [InlineData("week", "2026-12-07", "2026-12-09")]
    [InlineData("month", "2026-12-01", "2026-12-09")]
    [InlineData("year", "2026-01-01", "2026-12-09")]
    public void DB1_Periods_end_today_and_a_week_begins_on_Monday(string kind, string from, string to)
    {
        // 2026-12-09 is a Wednesday.
        var period = DashboardPeriod.Of(Enum.Parse<PeriodKind>(kind, ignoreCase: true), new DateOnly(2026, 12, 9));
        Assert.Equal((DateOnly.Parse(from, System.Globalization.CultureInfo.InvariantCulture), DateOnly.Parse(to, System.Globalization.CultureInfo.InvariantCulture)), (period.From, period.To));
        Assert.Equal(new DashboardPeriod(new DateOnly(2026, 12, 7), new DateOnly(2026, 12, 7)), DashboardPeriod.Of(PeriodKind.Week, new DateOnly(2026, 12, 7)));
        Assert.Equal(7, DashboardPeriod.Of(PeriodKind.Week, new DateOnly(2026, 12, 13)).Days);
    }
}
