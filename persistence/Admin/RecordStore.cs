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

/// <summary>Reads of the history: a conversation's record and its messages.</summary>
public sealed class RecordStore(Database database)
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

    /// <summary>
    /// AS-8: the conversations an agent served, newest first, created in [<paramref name="from"/>, <paramref name="to"/>)
    /// (unix ms) and of one group if given; a page starts after the cursor (<paramref name="beforeCreatedAt"/>, <paramref name="beforeId"/>).
    /// </summary>
    public async Task<IReadOnlyList<AgentRecordRow>> AgentRecordsAsync(
        string tenantId, string agentId, long? from, long? to, string? groupId, long? beforeCreatedAt, string? beforeId, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<AgentRecordRow>(new CommandDefinition(
            """
            SELECT c.id AS Id, c.visitor_id AS VisitorId, c.mode AS Mode, c.group_id AS GroupId, g.name AS GroupName, c.status AS Status,
                   c.created_at AS CreatedAt, c.answered_at AS AnsweredAt, c.ended_at AS EndedAt, c.end_reason AS EndReason
            FROM conversations c LEFT JOIN skill_groups g ON g.id = c.group_id AND g.tenant_id = c.tenant_id
            WHERE c.tenant_id = @tenantId AND c.agent_id = @agentId
              AND (@from IS NULL OR c.created_at >= @from) AND (@to IS NULL OR c.created_at < @to)
              AND (@groupId IS NULL OR c.group_id = @groupId)
              AND (@beforeCreatedAt IS NULL OR c.created_at < @beforeCreatedAt OR (c.created_at = @beforeCreatedAt AND c.id < @beforeId))
            ORDER BY c.created_at DESC, c.id DESC LIMIT @limit
            """, new { tenantId, agentId, from, to, groupId, beforeCreatedAt, beforeId = beforeId ?? "", limit }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows];
    }
}

/// <summary>A conversation as its agent's service records show it (AS-8).</summary>
public sealed class AgentRecordRow
{
    public string Id { get; set; } = "";
    public string VisitorId { get; set; } = "";
    public string Mode { get; set; } = "";
    public string? GroupId { get; set; }
    public string? GroupName { get; set; }
    public string Status { get; set; } = "";
    public long CreatedAt { get; set; }
    public long? AnsweredAt { get; set; }
    public long? EndedAt { get; set; }
    public string? EndReason { get; set; }
}
