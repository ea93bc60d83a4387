namespace Engine.Routing;

public readonly record struct Proposal(QueueEntry Entry, string AgentId);

public readonly record struct OverflowMove(QueueEntry Entry, string TargetGroupId);

/// <summary>Decides which queued conversation goes to which agent next; the grains carry it out.</summary>
public static class Dispatcher
{
    /// <summary>
    /// The earliest queued conversation that some available agent may take, and that agent: the last
    /// agent when RT-3 applies and they can take it, otherwise the first by the group's policy.
    /// </summary>
    public static Proposal? Propose(GroupQueue queue, AgentPool pool, bool lastAgentPriority)
    {
        if (pool.AvailableCount == 0) return null;
        foreach (var entry in queue.Entries)
        {
            if (lastAgentPriority && entry.LastAgentId is { } last && pool.IsAvailable(last) && !entry.Excluded.Contains(last))
                return new Proposal(entry, last);
            var agent = pool.PickFor(entry.Excluded);
            if (agent is not null) return new Proposal(entry, agent);
        }
        return null;
    }

    /// <summary>RT-4 (online): conversations that waited at least <paramref name="wait"/> move to the first overflow group they have not visited.</summary>
    public static IReadOnlyList<OverflowMove> DueOverflows(GroupQueue queue, DateTimeOffset now, TimeSpan wait, IReadOnlyList<string> overflowGroupIds)
    {
        if (overflowGroupIds.Count == 0) return [];
        List<OverflowMove>? moves = null;
        foreach (var entry in queue.Entries)
        {
            if (now - entry.EnqueuedAt < wait) continue;
            var target = overflowGroupIds.FirstOrDefault(g => !entry.Visited.Contains(g));
            if (target is not null) (moves ??= []).Add(new OverflowMove(entry, target));
        }
        return moves ?? (IReadOnlyList<OverflowMove>)[];
    }

    /// <summary>When the next overflow check is due: the earliest entry that still has somewhere to go.</summary>
    public static DateTimeOffset? NextOverflowCheck(GroupQueue queue, TimeSpan wait, IReadOnlyList<string> overflowGroupIds)
    {
        if (overflowGroupIds.Count == 0) return null;
        DateTimeOffset? next = null;
        foreach (var entry in queue.Entries)
        {
            if (!overflowGroupIds.Any(g => !entry.Visited.Contains(g))) continue;
            var due = entry.EnqueuedAt + wait;
            if (next is null || due < next) next = due;
        }
        return next;
    }
}
