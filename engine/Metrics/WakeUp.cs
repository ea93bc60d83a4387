using Engine.Conversations;

namespace Engine.Metrics;

/// <summary>Where a visitor stands in DB-4's wake-up funnel.</summary>
public sealed record WakeUpStage(bool Consulted, bool Interrupted, bool Woken);

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
        var ordered = messages.Where(m => m.Sender != MessageSender.System).OrderBy(m => m.At).ToList();
        var consulted = ordered.Any(m => m.Sender == MessageSender.Visitor);
        var (interrupted, woken) = (false, false);
        DateTimeOffset? waitingSince = null;
        foreach (var message in ordered)
        {
            if (message.Sender == MessageSender.Agent)
            {
                waitingSince ??= message.At;
                continue;
            }
            if (waitingSince is { } since && message.At - since >= Offline)
            {
                interrupted = true;
                woken = true;
            }
            waitingSince = null;
        }
        if (waitingSince is { } still && now - still >= Offline) interrupted = true;
        return new WakeUpStage(consulted, consulted && interrupted, consulted && woken);
    }
}
