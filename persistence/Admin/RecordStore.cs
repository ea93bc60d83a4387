using Dapper;

namespace Engine.Persistence.Admin;

public sealed class ConversationRow
{
    public string Id { get; set; } = "";
    public string VisitorId { get; set; } = "";
    public string Mode { get; set; } = "";
    public string? GroupId { get; set; }
    public string? AgentId { get; set; }
    public string Status { get; set; } = "";
    public long CreatedAt { get; set; }
    public long? QueuedAt { get; set; }
    public long? OfferedAt { get; set; }
    public long? AnsweredAt { get; set; }
    public long? EndedAt { get; set; }
    public string? EndReason { get; set; }

    /// <summary>Set while the conversation is live (its grain holds it); null once completed.</summary>
    public int? Live { get; set; }
}

public sealed class MessageRow
{
    public long Seq { get; set; }
    public string SenderKind { get; set; } = "";
    public string? AgentId { get; set; }
    public string Kind { get; set; } = "";
    public string Content { get; set; } = "";
    public long SentAt { get; set; }
    public string? ClientMessageId { get; set; }
}

/// <summary>Reads of the history: a conversation's record and its messages; the records list, detail and message search (<c>RecordStore.Records.cs</c>).</summary>
public sealed partial class RecordStore(Database database)
{
    public async Task<ConversationRow?> ConversationAsync(string tenantId, string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.QuerySingleOrDefaultAsync<ConversationRow>(new CommandDefinition(
            """
            SELECT id AS Id, visitor_id AS VisitorId, mode AS Mode, group_id AS GroupId, agent_id AS AgentId, status AS Status,
                   created_at AS CreatedAt, queued_at AS QueuedAt, offered_at AS OfferedAt, answered_at AS AnsweredAt,
                   ended_at AS EndedAt, end_reason AS EndReason, live AS Live
            FROM conversations WHERE tenant_id = @tenantId AND id = @id
            """, new { tenantId, id }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>A conversation's messages in order, those numbered after <paramref name="afterSeq"/>.</summary>
    public async Task<IReadOnlyList<MessageRow>> MessagesAsync(string tenantId, string conversationId, long afterSeq, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<MessageRow>(new CommandDefinition(
            """
            SELECT seq AS Seq, sender_kind AS SenderKind, agent_id AS AgentId, kind AS Kind, content AS Content,
                   sent_at AS SentAt, client_message_id AS ClientMessageId
            FROM messages WHERE tenant_id = @tenantId AND conversation_id = @conversationId AND seq > @afterSeq
            ORDER BY seq LIMIT @limit
            """, new { tenantId, conversationId, afterSeq, limit }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows];
    }
}
