using Engine.Agents;

namespace Engine.Grains.Routing;

/// <summary>
/// The durable record grains keep as they go (messages, agent status changes), for records and dashboards;
/// a conversation's own row is written with its state by the grain storage. Grains await these writes within the turn, beside their state write, so that what
/// a caller was told happened is on record.
/// </summary>
public interface IEngineHistory
{
    ValueTask AgentStatusChangedAsync(string tenant, string agentId, AgentStatus from, AgentStatus to, string reason, DateTimeOffset at);

    ValueTask MessageAppendedAsync(string tenant, MessageRecord message);

    /// <summary>The last message number on record for the conversation, and the client message ids of its latest messages.</summary>
    ValueTask<MessagesOnRecord> MessagesOnRecordAsync(string tenant, string conversationId);

    /// <summary>DB-1: a customer opened a conversation through a channel (its flow run began); once per conversation.</summary>
    ValueTask VisitedAsync(string tenant, VisitRecord visit);
}

/// <summary>A visit: the conversation it opened, its visitor, the channel and marketing account it came through, when.</summary>
public sealed record VisitRecord(string ConversationId, string VisitorId, string? ChannelId, string? AccountId, DateTimeOffset At);

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

    public ValueTask MessageAppendedAsync(string tenant, MessageRecord message) => default;

    public ValueTask<MessagesOnRecord> MessagesOnRecordAsync(string tenant, string conversationId) => new(MessagesOnRecord.None);

    public ValueTask VisitedAsync(string tenant, VisitRecord visit) => default;
}
