using Dapper;
using Engine.Persistence;

namespace Engine.Tests.Persistence;

/// <summary>
/// A hand-made history for the records' tests (DB-6, DB-7, AS-8): a tenant's people, groups, accounts and channels, and
/// its conversations and messages, inserted with SQL as the engine stores them (times are Unix ms). The conversations'
/// account, channel and region are written here directly. The web tests link this file too.
/// </summary>
public sealed class HandMadeHistory(Database database, string tenantId)
{
    public string TenantId => tenantId;

    public Task TenantAsync() => RunAsync(
        "INSERT INTO tenants (id, name, created_at, updated_at) VALUES (@tenantId, @tenantId, 0, 0)", new { tenantId });

    public Task UserAsync(string id, string name, string role = "agent") => RunAsync(
        """
        INSERT INTO users (id, tenant_id, email, name, role, password_hash, created_at, updated_at)
        VALUES (@id, @tenantId, @email, @name, @role, 'x', 0, 0)
        """, new { id, tenantId, email = id + "@history.test", name, role });

    public Task GroupAsync(string id, string name) => RunAsync(
        "INSERT INTO skill_groups (id, tenant_id, name, mode, created_at, updated_at) VALUES (@id, @tenantId, @name, 'online', 0, 0)", new { id, tenantId, name });

    public Task AccountAsync(string id, string name) => RunAsync(
        "INSERT INTO marketing_accounts (id, tenant_id, name, test_key, settings, created_at, updated_at) VALUES (@id, @tenantId, @name, @key, '{}', 0, 0)",
        new { id, tenantId, name, key = "key-" + id });

    public Task ChannelAsync(string id, string name, string kind) => RunAsync(
        """
        INSERT INTO channels (id, tenant_id, kind, name, mode, settings, channel_key, token_hash, created_at, updated_at)
        VALUES (@id, @tenantId, @kind, @name, 'online', '{}', @key, 'x', 0, 0)
        """, new { id, tenantId, kind, name, key = "key-" + id });

    public Task ConversationAsync(
        string id, long createdAt, string? agentId = null, string? accountId = null, string? groupId = null, string? channelId = null, string? region = null,
        string visitorId = "visitor", string status = "Completed", long? answeredAt = null, long? endedAt = null, string? endReason = null) => RunAsync(
        """
        INSERT INTO conversations (tenant_id, id, channel_id, account_id, visitor_id, mode, group_id, agent_id, region, status, created_at, answered_at, ended_at, end_reason, updated_at)
        VALUES (@tenantId, @id, @channelId, @accountId, @visitorId, 'Online', @groupId, @agentId, @region, @status, @createdAt, @answeredAt, @endedAt, @endReason, @createdAt)
        """, new { tenantId, id, channelId, accountId, visitorId, groupId, agentId, region, status, createdAt, answeredAt, endedAt, endReason });

    /// <summary>A message; <paramref name="sender"/> is <c>visitor</c>, <c>agent</c> or <c>system</c>, as the history stores it.</summary>
    public Task MessageAsync(string conversationId, long seq, string sender, string content, long sentAt, string? agentId = null, string kind = "text") => RunAsync(
        """
        INSERT INTO messages (conversation_id, seq, tenant_id, sender_kind, agent_id, kind, content, sent_at)
        VALUES (@conversationId, @seq, @tenantId, @sender, @agentId, @kind, @content, @sentAt)
        """, new { conversationId, seq, tenantId, sender, agentId, kind, content, sentAt });

    private async Task RunAsync(string sql, object parameters)
    {
        await using var connection = await database.OpenAsync();
        await connection.ExecuteAsync(new CommandDefinition(sql, parameters));
    }
}
