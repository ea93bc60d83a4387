using Engine.Conversations;

namespace Engine.Metrics;

/// <summary>One message of a conversation as the dashboard reads it: who wrote, and when.</summary>
public sealed record MessageFact(MessageSender Sender, DateTimeOffset At, string? AgentId = null);

/// <summary>A conversation as the dashboard reads it from the records: its visitor, account, agent and messages in order.</summary>
public sealed record ConversationFacts(string ConversationId, string VisitorId, string? AccountId, string? AgentId, DateTimeOffset StartedAt, IReadOnlyList<MessageFact> Messages);

/// <summary>
/// DB-2, DB-3 for one conversation: whether the customer wrote first (their message came before any agent's), when,
/// and when an agent first replied after it (null: never).
/// </summary>
public sealed record FirstResponse(bool CustomerWroteFirst, DateTimeOffset? CustomerFirstAt, DateTimeOffset? ReplyAt)
{
    public TimeSpan? Wait => ReplyAt - CustomerFirstAt;
}

/// <summary>DB-2 and DB-3 over a set of conversations; a figure with nothing counted is null (shown as "--").</summary>
public sealed record ReplyFigures(int Counted, int Replied, double? ReplyRate, TimeSpan? AverageFirstResponse);

/// <summary>
/// The dashboard's reply formulas (DB-2, DB-3), pure. A conversation counts for the natural day (in the tenant's zone) of
/// its customer's first message; only conversations whose customer wrote first are counted, and one is replied when an
/// agent wrote after that first message, whenever (a reply after midnight still answers the day's question). System
/// messages (prompts, the robot) are neither the customer's nor an agent's.
/// </summary>
public static class ReplyMetrics
{
    public static FirstResponse FirstResponseOf(IReadOnlyList<MessageFact> messages)
    {
        DateTimeOffset? customer = null;
        foreach (var message in messages.OrderBy(m => m.At))
        {
            switch (message.Sender)
            {
                case MessageSender.Agent when customer is null:
                    return new FirstResponse(false, null, null);
                case MessageSender.Agent:
                    return new FirstResponse(true, customer, message.At);
                case MessageSender.Visitor when customer is null:
                    customer = message.At;
                    break;
            }
        }
        return new FirstResponse(customer is not null, customer, null);
    }

    /// <summary>DB-2 reply rate and DB-3 average first response over the conversations counted (customer first).</summary>
    public static ReplyFigures Summarize(IEnumerable<ConversationFacts> conversations)
    {
        var (counted, replied, waited) = (0, 0, TimeSpan.Zero);
        foreach (var conversation in conversations)
        {
            var first = FirstResponseOf(conversation.Messages);
            if (!first.CustomerWroteFirst) continue;
            counted++;
            if (first.Wait is not { } wait) continue;
            replied++;
            waited += wait;
        }
        return new ReplyFigures(counted, replied, counted == 0 ? null : (double)replied / counted, replied == 0 ? null : waited / replied);
    }

    /// <summary>DB-2, DB-3 per natural day of the customer's first message in <paramref name="zone"/>, days in order.</summary>
    public static IReadOnlyList<(DateOnly Day, ReplyFigures Figures)> PerDay(IEnumerable<ConversationFacts> conversations, TimeZoneInfo zone)
        => [.. conversations
            .Select(c => (Conversation: c, First: FirstResponseOf(c.Messages)))
            .Where(x => x.First.CustomerWroteFirst)
            .GroupBy(x => NaturalDays.DayOf(x.First.CustomerFirstAt!.Value, zone))
            .OrderBy(g => g.Key)
            .Select(g => (g.Key, Summarize(g.Select(x => x.Conversation))))];
}
