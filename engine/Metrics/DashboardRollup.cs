using Engine.Conversations;

namespace Engine.Metrics;

/// <summary>
/// A completed conversation as the dashboard's roll-up reads it from the records: its facts (visitor, account, agent,
/// messages), its skill group, and the moments of its queueing, answer and end. Abandoned: the customer left (or gave
/// up waiting) before an agent answered.
/// </summary>
public sealed record CompletedConversation(
    ConversationFacts Facts, string? GroupId, DateTimeOffset? AnsweredAt, DateTimeOffset? EndedAt, bool Abandoned);

/// <summary>The additive figures of one natural day, one account ("" none) and one agent ("" none).</summary>
public sealed record DayCounts(
    long Visits = 0, long Conversations = 0, long VisitorMessages = 0, long AgentMessages = 0,
    long Counted = 0, long Replied = 0, long FirstResponseMs = 0)
{
    public static readonly DayCounts None = new();

    public DayCounts Add(DayCounts o) => new(Visits + o.Visits, Conversations + o.Conversations, VisitorMessages + o.VisitorMessages,
        AgentMessages + o.AgentMessages, Counted + o.Counted, Replied + o.Replied, FirstResponseMs + o.FirstResponseMs);

    /// <summary>DB-2, DB-3 over these counts: null ("--") when nothing was counted or replied.</summary>
    public ReplyFigures Replies => new((int)Counted, (int)Replied, Counted == 0 ? null : (double)Replied / Counted,
        Replied == 0 ? null : TimeSpan.FromMilliseconds((double)FirstResponseMs / Replied));
}

/// <summary>Where a day's additive figures go: the day, the account and the agent ("" for none).</summary>
public sealed record DayKey(DateOnly Day, string AccountId, string AgentId);

/// <summary>A skill group's figures of one natural day of arrivals (the conversation's creation, when it joined the queue).</summary>
public sealed record GroupDayCounts(DateOnly Day, string GroupId, long Arrivals, long Answered, long Abandoned, long AnswerWaitMs, long HandleMs, long Handled, int? WaitSecond);

/// <summary>
/// The distinct-visitor sets the dashboard counts, each a scope: visitors (visits), consulting visitors (wrote a
/// message), per agent, interrupted and woken (DB-4), for the whole tenant and per account. A visitor is in a scope on
/// each natural day they did its thing; a period's count is its distinct visitors over those days.
/// </summary>
public static class VisitorScopes
{
    public static string Visited(string? accountId) => accountId is null ? "v" : "v:" + accountId;

    public static string Consulted(string? accountId) => accountId is null ? "c" : "c:" + accountId;

    public static string Interrupted(string? accountId) => accountId is null ? "i" : "i:" + accountId;

    public static string Woken(string? accountId) => accountId is null ? "w" : "w:" + accountId;

    /// <summary>A visitor who wrote in a conversation of the agent; per account too, for the per-agent table of one account.</summary>
    public static string ConsultedAgent(string agentId, string? accountId) => accountId is null ? "g:" + agentId : $"ga:{accountId}/{agentId}";

    /// <summary>The prefix shared by <see cref="ConsultedAgent"/>'s scopes of all agents (of one account, or of any).</summary>
    public static string AgentPrefix(string? accountId) => accountId is null ? "g:" : $"ga:{accountId}/";

    /// <summary>The scope and its account-wide twin: a visitor counted for an account counts for the tenant too.</summary>
    internal static IEnumerable<string> Both(Func<string?, string> scope, string? accountId)
        => accountId is null ? [scope(null)] : [scope(null), scope(accountId)];
}

/// <summary>A visitor in a scope on a natural day.</summary>
public sealed record VisitorDay(string Scope, DateOnly Day);

/// <summary>What one completed conversation (or one visit) adds to the dashboard's rollups.</summary>
public sealed record RollupDelta(
    IReadOnlyList<(DayKey Key, DayCounts Counts)> Days, IReadOnlyList<GroupDayCounts> Groups, IReadOnlyList<VisitorDay> Visitors, WakeUpWatch? Watch);

/// <summary>
/// The dashboard's roll-up, pure: what a completed conversation or a visit adds, per natural day of the tenant's zone, to
/// the additive figures (DB-1, DB-2, DB-3, DB-5), to the skill groups' figures, and to the distinct-visitor scopes
/// (visitors, consulting visitors, DB-4's interrupted and woken). Conversations count on the day they began; messages on
/// the day they were sent; DB-2 and DB-3 on the day of the customer's first message.
/// </summary>
public static class DashboardRollup
{
    /// <summary>A visit (a customer opened a conversation through a channel).</summary>
    public static RollupDelta OfVisit(string? accountId, DateTimeOffset at, TimeZoneInfo zone)
    {
        var day = NaturalDays.DayOf(at, zone);
        return new RollupDelta(
            [(new DayKey(day, accountId ?? "", ""), new DayCounts(Visits: 1))], [],
            [.. VisitorScopes.Both(VisitorScopes.Visited, accountId).Select(s => new VisitorDay(s, day))], null);
    }

    /// <summary>
    /// A completed conversation. <paramref name="watch"/> is what DB-4 knew of its visitor before it (an agent's message
    /// they had not answered); the delta's <see cref="RollupDelta.Watch"/> is what it knows after.
    /// </summary>
    public static RollupDelta OfConversation(CompletedConversation conversation, WakeUpWatch? watch, DateTimeOffset now, TimeZoneInfo zone)
    {
        var facts = conversation.Facts;
        var (account, agent) = (facts.AccountId ?? "", facts.AgentId ?? "");
        var days = new Dictionary<DayKey, DayCounts>();
        void Add(DateTimeOffset at, DayCounts counts)
        {
            var key = new DayKey(NaturalDays.DayOf(at, zone), account, agent);
            days[key] = days.TryGetValue(key, out var had) ? had.Add(counts) : counts;
        }

        Add(facts.StartedAt, new DayCounts(Conversations: 1));
        var visitors = new HashSet<VisitorDay>();
        foreach (var message in facts.Messages)
        {
            if (message.Sender == MessageSender.Agent) Add(message.At, new DayCounts(AgentMessages: 1));
            if (message.Sender != MessageSender.Visitor) continue;
            Add(message.At, new DayCounts(VisitorMessages: 1));
            var day = NaturalDays.DayOf(message.At, zone);
            foreach (var scope in VisitorScopes.Both(VisitorScopes.Consulted, facts.AccountId)) visitors.Add(new VisitorDay(scope, day));
            if (facts.AgentId is { } agentId)
                foreach (var scope in VisitorScopes.Both(a => VisitorScopes.ConsultedAgent(agentId, a), facts.AccountId)) visitors.Add(new VisitorDay(scope, day));
        }

        var first = ReplyMetrics.FirstResponseOf(facts.Messages);
        if (first.CustomerWroteFirst)
            Add(first.CustomerFirstAt!.Value, first.Wait is { } wait ? new DayCounts(Counted: 1, Replied: 1, FirstResponseMs: (long)wait.TotalMilliseconds) : new DayCounts(Counted: 1));

        // A conversation the customer never wrote in neither starts nor ends a silence (DB-4 counts consulting visitors).
        var (events, after) = facts.Messages.Any(m => m.Sender == MessageSender.Visitor)
            ? WakeUp.Advance(watch, facts.AccountId, facts.Messages, now)
            : ([], watch);
        foreach (var e in events)
            foreach (var scope in VisitorScopes.Both(e.Woken ? VisitorScopes.Woken : VisitorScopes.Interrupted, e.AccountId))
                visitors.Add(new VisitorDay(scope, NaturalDays.DayOf(e.At, zone)));

        return new RollupDelta([.. days.Select(d => (d.Key, d.Value))], GroupOf(conversation, zone), [.. visitors], after);
    }

    /// <summary>DB-4: a watch whose silence reached 6 h while the visitor wrote nothing, interrupted at the agent's message's day.</summary>
    public static IReadOnlyList<VisitorDay> OfLapse(WakeUpWatch watch, TimeZoneInfo zone)
        => [.. VisitorScopes.Both(VisitorScopes.Interrupted, watch.AccountId).Select(s => new VisitorDay(s, NaturalDays.DayOf(watch.Since, zone)))];

    private static IReadOnlyList<GroupDayCounts> GroupOf(CompletedConversation c, TimeZoneInfo zone)
    {
        if (c.GroupId is null) return [];
        var arrived = c.Facts.StartedAt;
        var day = NaturalDays.DayOf(arrived, zone);
        if (c.AnsweredAt is not { } answered)
            return [new GroupDayCounts(day, c.GroupId, 1, 0, c.Abandoned ? 1 : 0, 0, 0, 0, null)];
        var wait = Math.Max(0, (long)(answered - arrived).TotalMilliseconds);
        var handle = c.EndedAt is { } ended ? Math.Max(0, (long)(ended - answered).TotalMilliseconds) : 0;
        return [new GroupDayCounts(day, c.GroupId, 1, 1, 0, wait, handle, c.EndedAt is null ? 0 : 1, GroupFigures.WaitBucket(wait))];
    }
}
