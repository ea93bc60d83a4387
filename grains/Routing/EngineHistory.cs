using Engine.Agents;

namespace Engine.Grains.Routing;

/// <summary>
/// The durable record grains keep as they go (messages, agent status changes), for records and dashboards;
/// a conversation's own row is written with its state by the grain storage. Grains await these writes within the turn, beside their state write, so that what
/// a caller was told happened is on record; an agent's status change caused by a conversation's step rides on that conversation's save where writes commit in order.
/// </summary>
public interface IEngineHistory
{
    ValueTask AgentStatusChangedAsync(string tenant, string agentId, AgentStatus from, AgentStatus to, string reason, DateTimeOffset at);

    /// <summary>
    /// Queues an agent's status change that a write started after it makes durable, without a task to wait
    /// for: only where <see cref="CommitsInOrder"/>. If it fails, the store logs it (with the writes that fail beside it).
    /// </summary>
    void AgentStatusChangedInOrder(string tenant, string agentId, AgentStatus from, AgentStatus to, string reason, DateTimeOffset at);

    ValueTask MessageAppendedAsync(string tenant, MessageRecord message);

    /// <summary>The last message number on record for the conversation, and the client message ids of its latest messages.</summary>
    ValueTask<MessagesOnRecord> MessagesOnRecordAsync(string tenant, string conversationId);

    /// <summary>
    /// Whether the record keeps every live conversation's state, so that an agent's work is rebuilt from it
    /// when the agent activates (<see cref="LiveWorkAsync"/>) and is not stored with the agent.
    /// </summary>
    bool KeepsLiveWork { get; }

    /// <summary>
    /// Whether writes become durable in the order they were started: then a record started before a write
    /// that is awaited is durable once that write is (one writer, first in first out), and need not be
    /// awaited itself. Null history: nothing to wait for.
    /// </summary>
    bool CommitsInOrder { get; }

    /// <summary>What the agent holds: one item per live conversation that names the agent.</summary>
    ValueTask<IReadOnlyList<WorkItem>> LiveWorkAsync(string tenant, string agentId);
}

public sealed record MessagesOnRecord(long LastSeq, IReadOnlyList<Engine.Conversations.SentMessage> Recent)
{
    public static readonly MessagesOnRecord None = new(0, []);
}

/// <summary>One message of a conversation, numbered in the conversation.</summary>
public sealed record MessageRecord(
    string ConversationId,
    long Seq,
    Engine.Conversations.MessageSender Sender,
    string? AgentId,
    string Kind,
    string Content,
    DateTimeOffset SentAt,
    string? ClientMessageId);

/// <summary>No record kept: the in-memory engine.</summary>
public sealed class NullEngineHistory : IEngineHistory
{
    public static readonly NullEngineHistory Instance = new();

    public ValueTask AgentStatusChangedAsync(string tenant, string agentId, AgentStatus from, AgentStatus to, string reason, DateTimeOffset at) => default;

    public void AgentStatusChangedInOrder(string tenant, string agentId, AgentStatus from, AgentStatus to, string reason, DateTimeOffset at)
    {
    }

    public ValueTask MessageAppendedAsync(string tenant, MessageRecord message) => default;

    public ValueTask<MessagesOnRecord> MessagesOnRecordAsync(string tenant, string conversationId) => new(MessagesOnRecord.None);

    public bool KeepsLiveWork => false;

    public bool CommitsInOrder => true;

    public ValueTask<IReadOnlyList<WorkItem>> LiveWorkAsync(string tenant, string agentId) => new([]);
}
