using Engine.Agents;
using Engine.Conversations;

namespace Engine.Grains.Routing;

/// <summary>Live counts for <c>/api/v1/engine/stats</c>: grains add what they activate with and move it on every change.</summary>
public sealed class EngineCounters
{
    private readonly long[] _agents = new long[Enum.GetValues<AgentStatus>().Length];
    private readonly long[] _conversations = new long[Enum.GetValues<ConversationStatus>().Length];
    private long _conversationsCompleted;

    public void MoveAgent(AgentStatus? from, AgentStatus? to)
    {
        if (from == to) return;
        if (from is { } f) Interlocked.Decrement(ref _agents[(int)f]);
        if (to is { } t) Interlocked.Increment(ref _agents[(int)t]);
    }

    public void MoveConversation(ConversationStatus? from, ConversationStatus? to)
    {
        if (from == to) return;
        if (from is { } f) Interlocked.Decrement(ref _conversations[(int)f]);
        if (to is { } t) Interlocked.Increment(ref _conversations[(int)t]);
        if (to == ConversationStatus.Completed) Interlocked.Increment(ref _conversationsCompleted);
    }

    public long Agents(AgentStatus status) => Volatile.Read(ref _agents[(int)status]);

    public long Conversations(ConversationStatus status) => Volatile.Read(ref _conversations[(int)status]);

    public long ConversationsCompleted => Volatile.Read(ref _conversationsCompleted);
}
