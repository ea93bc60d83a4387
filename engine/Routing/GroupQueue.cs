namespace Engine.Routing;

/// <summary>
/// One conversation waiting in a group's queue. Its ticket orders the queue when the group rebuilds it from the
/// waiting conversations (which store it): higher is later, and a conversation put back at the front gets one below all.
/// A watched one came through a flow, whose run is told each new position (RT-6).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record QueueEntry(
    string ConversationId,
    string VisitorId,
    DateTimeOffset EnqueuedAt,
    IReadOnlyList<string> Excluded,
    IReadOnlyList<string> Visited,
    string? LastAgentId,
    long Ticket = 0,
    bool Watched = false);

/// <summary>RT-1: first come, first served; a conversation whose offer failed goes back to the front.</summary>
public sealed class GroupQueue
{
    private readonly LinkedList<QueueEntry> _order = new();
    private readonly Dictionary<string, LinkedListNode<QueueEntry>> _index = new(StringComparer.Ordinal);

    public GroupQueue()
    {
    }

    public GroupQueue(IEnumerable<QueueEntry> entries)
    {
        foreach (var entry in entries) Enqueue(entry);
    }

    public int Count => _order.Count;

    public IEnumerable<QueueEntry> Entries => _order;

    public bool Contains(string conversationId) => _index.ContainsKey(conversationId);

    public void Enqueue(QueueEntry entry) => Add(entry, front: false);

    public void EnqueueFront(QueueEntry entry) => Add(entry, front: true);

    public QueueEntry? Remove(string conversationId)
    {
        if (!_index.Remove(conversationId, out var node)) return null;
        _order.Remove(node);
        return node.Value;
    }

    /// <summary>RT-6 ${WaitNo}: how many conversations are ahead; -1 when not queued here.</summary>
    public int PositionOf(string conversationId)
    {
        if (!_index.ContainsKey(conversationId)) return -1;
        var ahead = 0;
        for (var node = _order.First; node is not null; node = node.Next, ahead++)
        {
            if (node.Value.ConversationId == conversationId) return ahead;
        }
        return -1;
    }

    private void Add(QueueEntry entry, bool front)
    {
        if (_index.ContainsKey(entry.ConversationId))
            throw new StateMachines.DomainException($"Conversation {entry.ConversationId} is already queued.");
        _index[entry.ConversationId] = front ? _order.AddFirst(entry) : _order.AddLast(entry);
    }
}
