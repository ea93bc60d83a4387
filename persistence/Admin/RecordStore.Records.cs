using System.Runtime.CompilerServices;
using Dapper;
using Engine.Conversations;
using Engine.Metrics;

namespace Engine.Persistence.Admin;

/// <summary>
/// Which records (DB-6, AS-8): created in [<see cref="From"/>, <see cref="To"/>) (Unix ms), of an agent, an account, a
/// group, each optional. <see cref="ServedBy"/> confines them to the conversations one agent served
/// (conversation.agent_id), whatever the other filters say.
/// </summary>
public sealed record RecordFilter(string? ServedBy = null, string? AgentId = null, string? AccountId = null, long? From = null, long? To = null, string? GroupId = null);

/// <summary>Where a page of records ends (newest first): the last row's creation time and id.</summary>
public readonly record struct RecordKey(long CreatedAt, string Id);

/// <summary>DB-7 message search: sent in [<see cref="From"/>, <see cref="To"/>) (Unix ms), the rest optional.</summary>
public sealed record MessageSearch(long From, long To, string? Text = null, string? Kind = null, string? AgentId = null, string? ConversationId = null, string? ServedBy = null);

/// <summary>Where a page of found messages ends (newest first): the last one's time, conversation and number.</summary>
public readonly record struct MessageKey(long SentAt, string ConversationId, long Seq);

public sealed partial class RecordStore
{
    /// <summary>How many characters of the last message a record shows; a longer one is cut there.</summary>
    public const int PreviewLength = 60;

    /// <summary>
    /// The records of a page of conversations (<paramref name="page"/>, a query of <see cref="PageColumns"/>): the names of
    /// their agent, account, group and channel, and their last message (cut to one character more than
    /// <see cref="PreviewLength"/>, so that a longer one shows as cut).
    /// </summary>
    private static string RecordsOf(string page) => $"""
        SELECT p.id AS Id, p.visitor_id AS VisitorId, p.mode AS Mode, p.status AS Status, p.created_at AS CreatedAt,
               p.answered_at AS AnsweredAt, p.ended_at AS EndedAt, p.end_reason AS EndReason, p.region AS Region,
               p.agent_id AS AgentId, u.name AS AgentName, p.account_id AS AccountId, a.name AS AccountName,
               p.group_id AS GroupId, g.name AS GroupName, p.channel_id AS ChannelId, ch.name AS ChannelName, ch.kind AS ChannelKind,
               m.kind AS LastKind, SUBSTR(m.content, 1, {PreviewLength + 1}) AS LastContent, m.sent_at AS LastSentAt
        FROM ({page}) p
        LEFT JOIN users u ON u.id = p.agent_id AND u.tenant_id = p.tenant_id
        LEFT JOIN marketing_accounts a ON a.id = p.account_id AND a.tenant_id = p.tenant_id
        LEFT JOIN skill_groups g ON g.id = p.group_id AND g.tenant_id = p.tenant_id
        LEFT JOIN channels ch ON ch.id = p.channel_id AND ch.tenant_id = p.tenant_id
        LEFT JOIN messages m ON m.conversation_id = p.id AND m.tenant_id = p.tenant_id
            AND m.seq = (SELECT MAX(l.seq) FROM messages l WHERE l.conversation_id = p.id AND l.tenant_id = p.tenant_id)
        ORDER BY p.created_at DESC, p.id DESC
        """;

    private const string PageColumns =
        "c.tenant_id, c.id, c.visitor_id, c.mode, c.status, c.created_at, c.answered_at, c.ended_at, c.end_reason, c.region, c.agent_id, c.account_id, c.group_id, c.channel_id";

    /// <summary>
    /// DB-6 (AS-8 for an agent): a page of records, newest first, after <paramref name="after"/>. The page is chosen on
    /// <c>ix_conversations_tenant_time</c> alone (only the filters given are in the SQL, so each bound is a range of
    /// the index); names and last messages are joined to that page's rows only.
    /// </summary>
    public async Task<IReadOnlyList<RecordRow>> ListAsync(string tenantId, RecordFilter filter, RecordKey? after, int limit, CancellationToken cancellationToken)
    {
        var where = new List<string> { "c.tenant_id = @tenantId" };
        if (filter.From is not null) where.Add("c.created_at >= @From");
        if (filter.To is not null) where.Add("c.created_at < @To");
        if (filter.AccountId is not null) where.Add("c.account_id = @AccountId");
        if (filter.AgentId is not null) where.Add("c.agent_id = @AgentId");
        if (filter.ServedBy is not null) where.Add("c.agent_id = @ServedBy");
        if (filter.GroupId is not null) where.Add("c.group_id = @GroupId");
        if (after is not null) where.Add("c.created_at <= @afterAt AND (c.created_at < @afterAt OR c.id < @afterId)");
        var page = $"SELECT {PageColumns} FROM conversations c WHERE {string.Join(" AND ", where)} ORDER BY c.created_at DESC, c.id DESC LIMIT @limit";
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<RecordRow>(new CommandDefinition(RecordsOf(page), new
        {
            tenantId, filter.From, filter.To, filter.AccountId, filter.AgentId, filter.ServedBy, filter.GroupId, afterAt = after?.CreatedAt, afterId = after?.Id, limit,
        }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows];
    }

    /// <summary>Every record the filter matches, newest first, read a page of <paramref name="pageSize"/> at a time (for exports).</summary>
    public async IAsyncEnumerable<RecordRow> AllAsync(string tenantId, RecordFilter filter, int pageSize, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        RecordKey? after = null;
        while (true)
        {
            var page = await ListAsync(tenantId, filter, after, pageSize, cancellationToken).ConfigureAwait(false);
            foreach (var row in page) yield return row;
            if (page.Count < pageSize) yield break;
            after = new RecordKey(page[^1].CreatedAt, page[^1].Id);
        }
    }

    /// <summary>DB-7: one record; null when there is none (or <paramref name="servedBy"/> did not serve it).</summary>
    public async Task<RecordRow?> RecordAsync(string tenantId, string id, string? servedBy, CancellationToken cancellationToken)
    {
        var page = $"SELECT {PageColumns} FROM conversations c WHERE c.tenant_id = @tenantId AND c.id = @id"
            + (servedBy is null ? "" : " AND c.agent_id = @servedBy");
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.QuerySingleOrDefaultAsync<RecordRow>(new CommandDefinition(
            RecordsOf(page), new { tenantId, id, servedBy }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>
    /// DB-3 for one conversation: its first customer message and its first agent message (the first of each is all
    /// <see cref="ReplyMetrics.FirstResponseOf"/> needs), in the order they were written.
    /// </summary>
    public async Task<IReadOnlyList<MessageFact>> FirstMessagesAsync(string tenantId, string conversationId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<(string Sender, long At, string? AgentId)>(new CommandDefinition(
            """
            SELECT sender_kind, sent_at, agent_id FROM messages
            WHERE tenant_id = @tenantId AND conversation_id = @conversationId
              AND seq IN (SELECT MIN(f.seq) FROM messages f WHERE f.tenant_id = @tenantId AND f.conversation_id = @conversationId
                          AND f.sender_kind IN ('visitor', 'agent') GROUP BY f.sender_kind)
            ORDER BY seq
            """, new { tenantId, conversationId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(r => new MessageFact(r.Sender == "agent" ? MessageSender.Agent : MessageSender.Visitor, DateTimeOffset.FromUnixTimeMilliseconds(r.At), r.AgentId))];
    }

    /// <summary>
    /// DB-7 message search, newest first, after <paramref name="after"/>: walks <c>ix_messages_tenant_time</c> backwards
    /// over the search's time range, so its cost is bounded by the range (the caller bounds it), and stops at
    /// <paramref name="limit"/> hits. The text matches anywhere in the content, <c>%</c> and <c>_</c> literally, Latin
    /// letters in either case. The agent is the conversation's (who served it), as for the records.
    /// </summary>
    public async Task<IReadOnlyList<MessageHitRow>> SearchMessagesAsync(string tenantId, MessageSearch search, MessageKey? after, int limit, CancellationToken cancellationToken)
    {
        var where = new List<string> { "m.tenant_id = @tenantId", "m.sent_at >= @From", "m.sent_at < @To" };
        if (after is not null)
            where.Add("m.sent_at <= @afterAt AND (m.sent_at < @afterAt OR m.conversation_id < @afterConversation OR (m.conversation_id = @afterConversation AND m.seq < @afterSeq))");
        if (search.Text is not null) where.Add(@"LOWER(m.content) LIKE LOWER(@pattern) ESCAPE '\'");
        if (search.Kind is not null) where.Add("m.kind = @Kind");
        if (search.ConversationId is not null) where.Add("m.conversation_id = @ConversationId");
        var served = new List<string>();
        if (search.AgentId is not null) served.Add("c.agent_id = @AgentId");
        if (search.ServedBy is not null) served.Add("c.agent_id = @ServedBy");
        if (served.Count > 0)
            where.Add($"EXISTS (SELECT 1 FROM conversations c WHERE c.tenant_id = m.tenant_id AND c.id = m.conversation_id AND {string.Join(" AND ", served)})");
        var sql = $"""
            SELECT h.conversation_id AS ConversationId, h.seq AS Seq, h.sender_kind AS SenderKind, h.kind AS Kind, h.content AS Content,
                   h.sent_at AS SentAt, c.agent_id AS AgentId, u.name AS AgentName
            FROM (SELECT m.tenant_id, m.conversation_id, m.seq, m.sender_kind, m.kind, m.content, m.sent_at FROM messages m
                  WHERE {string.Join(" AND ", where)}
                  ORDER BY m.sent_at DESC, m.conversation_id DESC, m.seq DESC LIMIT @limit) h
            LEFT JOIN conversations c ON c.tenant_id = h.tenant_id AND c.id = h.conversation_id
            LEFT JOIN users u ON u.id = c.agent_id AND u.tenant_id = c.tenant_id
            ORDER BY h.sent_at DESC, h.conversation_id DESC, h.seq DESC
            """;
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<MessageHitRow>(new CommandDefinition(sql, new
        {
            tenantId, search.From, search.To, pattern = LikePattern.Containing(search.Text), search.Kind, search.ConversationId, search.AgentId, search.ServedBy,
            afterAt = after?.SentAt, afterConversation = after?.ConversationId, afterSeq = after?.Seq, limit,
        }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows];
    }
}

/// <summary>A conversation as the records show it (DB-6, DB-7): who, through what, when, and its last message.</summary>
public sealed class RecordRow
{
    public string Id { get; set; } = "";
    public string VisitorId { get; set; } = "";
    public string Mode { get; set; } = "";
    public string Status { get; set; } = "";
    public long CreatedAt { get; set; }
    public long? AnsweredAt { get; set; }
    public long? EndedAt { get; set; }
    public string? EndReason { get; set; }
    public string? Region { get; set; }
    public string? AgentId { get; set; }
    public string? AgentName { get; set; }
    public string? AccountId { get; set; }
    public string? AccountName { get; set; }
    public string? GroupId { get; set; }
    public string? GroupName { get; set; }
    public string? ChannelId { get; set; }
    public string? ChannelName { get; set; }
    public string? ChannelKind { get; set; }
    public string? LastKind { get; set; }

    /// <summary>At most <see cref="RecordStore.PreviewLength"/> + 1 characters of the last message's content.</summary>
    public string? LastContent { get; set; }

    public long? LastSentAt { get; set; }
}

/// <summary>A message found by the search, with its conversation's agent.</summary>
public sealed class MessageHitRow
{
    public string ConversationId { get; set; } = "";
    public long Seq { get; set; }
    public string SenderKind { get; set; } = "";
    public string Kind { get; set; } = "";
    public string Content { get; set; } = "";
    public long SentAt { get; set; }
    public string? AgentId { get; set; }
    public string? AgentName { get; set; }
}
