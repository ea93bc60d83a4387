using Engine.Conversations;

namespace Engine.Metrics;

/// <summary>Where a visitor stands in DB-4's wake-up funnel.</summary>
public sealed record WakeUpStage(bool Consulted, bool Interrupted, bool Woken);

/// <summary>
/// DB-4 between a visitor's conversations: an agent's message the visitor has not answered since <see cref="Since"/> (in
/// a conversation of <see cref="AccountId"/>), and whether its silence was already counted as an interruption.
/// </summary>
public sealed record WakeUpWatch(DateTimeOffset Since, string? AccountId, bool Interrupted);

/// <summary>A visitor interrupted (at the agent's unanswered message) or woken (at the message that broke the silence).</summary>
public sealed record WakeUpEvent(bool Woken, DateTimeOffset At, string? AccountId);

/// <summary>
/// DB-4 wake-up funnel, pure: a visitor who consulted (wrote at least once) is interrupted when, after an agent's message,
/// they stayed silent for <see cref="Offline"/> or more (until their next message, or until now); woken when they wrote
/// again after such a silence. Exactly 6 h of silence interrupts; 6 h less a second does not.
/// </summary>
public static class WakeUp
{
    public static readonly TimeSpan Offline = TimeSpan.FromHours(6);

    /// <summary>A visitor's messages across their conversations, in any order, judged at <paramref name="now"/>.</summary>
    public static WakeUpStage StageOf(IEnumerable<MessageFact> messages, DateTimeOffset now)
    {
        var list = messages as IReadOnlyList<MessageFact> ?? [.. messages];
        var consulted = list.Any(m => m.Sender == MessageSender.Visitor);
        var (events, _) = Advance(null, null, list, now);
        return new WakeUpStage(consulted, consulted && events.Any(e => !e.Woken), consulted && events.Any(e => e.Woken));
    }

    /// <summary>
    /// The funnel's events in one more conversation of a visitor (of <paramref name="accountId"/>), given what was watched
    /// before it: an interruption when a silence of 6 h or more is seen (broken by a message, or still running at
    /// <paramref name="now"/>, counted once), a wake-up when a message breaks it; and what is watched after.
    /// </summary>
    public static (IReadOnlyList<WakeUpEvent> Events, WakeUpWatch? Watch) Advance(
        WakeUpWatch? watch, string? accountId, IReadOnlyList<MessageFact> messages, DateTimeOffset now)
    {
        var events = new List<WakeUpEvent>();
        foreach (var message in messages.Where(m => m.Sender != MessageSender.System).OrderBy(m => m.At))
        {
            if (message.Sender == MessageSender.Agent)
            {
                watch ??= new WakeUpWatch(message.At, accountId, false);
                continue;
            }
            if (watch is not null && message.At - watch.Since >= Offline)
            {
                if (!watch.Interrupted) events.Add(new WakeUpEvent(false, watch.Since, watch.AccountId));
                events.Add(new WakeUpEvent(true, message.At, accountId));
            }
            watch = null;
        }
        if (Lapsed(watch, now)) events.Add(new WakeUpEvent(false, watch!.Since, watch.AccountId));
        return (events, Lapsed(watch, now) ? watch! with { Interrupted = true } : watch);
    }

    /// <summary>A watch whose silence reached <see cref="Offline"/> at <paramref name="now"/> and was not yet counted.</summary>
    public static bool Lapsed(WakeUpWatch? watch, DateTimeOffset now) => watch is { Interrupted: false } && now - watch.Since >= Offline;
}
