using Dapper;
using Engine.Agents;
using Engine.Conversations;
using Engine.Grains.Routing;

namespace Engine.Persistence;

/// <summary>
/// The append-only history that records and dashboards read beside the conversations' rows (which the
/// conversation grains' storage keeps, <see cref="ConversationRows"/>): messages and agent status changes.
/// Every write goes through the group commit and completes when durable. It reads the live conversations'
/// state that <see cref="SqlGrainStorage"/> keeps in the same rows, so the two serve the same database.
/// </summary>
public sealed class HistoryStore(GroupCommit commit) : IEngineHistory
{
    ValueTask IEngineHistory.AgentStatusChangedAsync(string tenant, string agentId, AgentStatus from, AgentStatus to, string reason, DateTimeOffset at)
        => new(AppendStatusChangeAsync(tenant, agentId, from, to, reason, at));

    ValueTask IEngineHistory.MessageAppendedAsync(string tenant, MessageRecord m)
        => new(AppendMessageAsync(new StoredMessage(tenant, m.ConversationId, m.Seq, m.Sender.ToString().ToLowerInvariant(), m.AgentId, m.Kind, m.Content, m.SentAt, m.ClientMessageId)));

    async ValueTask<MessagesOnRecord> IEngineHistory.MessagesOnRecordAsync(string tenant, string conversationId)
    {
        await using var connection = await commit.Database.OpenAsync().ConfigureAwait(false);
        var rows = (await connection.QueryAsync<(long Seq, string? ClientMessageId)>(new CommandDefinition(
            "SELECT CAST(seq AS BIGINT), client_message_id FROM messages WHERE tenant_id = @tenant AND conversation_id = @conversationId ORDER BY seq DESC LIMIT @limit",
            new { tenant, conversationId, limit = ConversationState.RecentMessagesKept })).ConfigureAwait(false)).ToList();
        if (rows.Count == 0) return MessagesOnRecord.None;
        return new MessagesOnRecord(rows[0].Seq, [.. rows.Where(r => r.ClientMessageId is not null).Select(r => new SentMessage(r.ClientMessageId!, r.Seq))]);
    }

    ValueTask IEngineHistory.VisitedAsync(string tenant, VisitRecord visit) => new(commit.RunAsync(new SqlWrite(
        "INSERT INTO visits (tenant_id, id, visitor_id, channel_id, account_id, at, rolled) VALUES (@Tenant, @Id, @VisitorId, @ChannelId, @AccountId, @At, 1) ON CONFLICT DO NOTHING",
        [("@Tenant", tenant), ("@Id", visit.ConversationId), ("@VisitorId", visit.VisitorId), ("@ChannelId", visit.ChannelId), ("@AccountId", visit.AccountId), ("@At", visit.At.ToUnixTimeMilliseconds())])));

    public Task AppendStatusChangeAsync(string tenant, string agentId, AgentStatus from, AgentStatus to, string reason, DateTimeOffset at)
        => commit.RunAsync(StatusChange(tenant, agentId, from, to, reason, at));

    private static SqlWrite StatusChange(string tenant, string agentId, AgentStatus from, AgentStatus to, string reason, DateTimeOffset at) => new(
        "INSERT INTO agent_status_history (tenant_id, agent_id, at, from_status, to_status, reason) VALUES (@Tenant, @AgentId, @At, @From, @To, @Reason)",
        [("@Tenant", tenant), ("@AgentId", agentId), ("@At", at.ToUnixTimeMilliseconds()), ("@From", from.ToString()), ("@To", to.ToString()), ("@Reason", reason)]);

    /// <summary>Stores a message once: a resend with the same client message id stores nothing. True when stored.</summary>
    public async Task<bool> AppendMessageAsync(StoredMessage message)
    {
        var stored = await commit.RunAsync(new SqlWrite(
            """
            INSERT INTO messages (conversation_id, seq, tenant_id, sender_kind, agent_id, kind, content, sent_at, client_message_id)
            VALUES (@ConversationId, @Seq, @Tenant, @SenderKind, @AgentId, @Kind, @Content, @SentAt, @ClientMessageId)
            ON CONFLICT DO NOTHING
            """,
            [
                ("@ConversationId", message.ConversationId), ("@Seq", message.Seq), ("@Tenant", message.Tenant),
                ("@SenderKind", message.SenderKind), ("@AgentId", message.AgentId), ("@Kind", message.Kind),
                ("@Content", message.Content), ("@SentAt", message.SentAt.ToUnixTimeMilliseconds()),
                ("@ClientMessageId", message.ClientMessageId),
            ])).ConfigureAwait(false);
        return stored == 1;
    }
}

public sealed record StoredMessage(
    string Tenant,
    string ConversationId,
    long Seq,
    string SenderKind,
    string? AgentId,
    string Kind,
    string Content,
    DateTimeOffset SentAt,
    string? ClientMessageId);
