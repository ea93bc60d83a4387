using Dapper;
using Engine.Persistence;

namespace Engine.Tests.Persistence;

/// <summary>
/// A hand-made history for the records' tests (DB-6, DB-7, AS-8) and the dashboard's (DB-1..DB-5): a tenant's people,
/// groups, accounts and channels, its conversations and messages, and its visits, inserted with SQL as the engine stores
/// them (times are Unix ms). The conversations' account, channel and region are written here directly; completed ones
/// may wait for the dashboard's roll-up. The web tests link this file too.
/// </summary>
public sealed class HandMadeHistory(Database database, string tenantId)
{
    private static long _completions;

    public string TenantId => tenantId;

    /// <summary>A visitor's message at a time.</summary>
    public static (string Sender, DateTimeOffset At) V(DateTimeOffset at) => ("visitor", at);

    /// <summary>An agent's message at a time.</summary>
    public static (string Sender, DateTimeOffset At) A(DateTimeOffset at) => ("agent", at);

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

    /// <summary>A conversation; <paramref name="rolled"/> leaves it waiting for the dashboard's roll-up, which takes them by <paramref name="updatedAt"/>.</summary>
    public Task ConversationAsync(
        string id, long createdAt, string? agentId = null, string? accountId = null, string? groupId = null, string? channelId = null, string? region = null,
        string visitorId = "visitor", string status = "Completed", long? answeredAt = null, long? endedAt = null, string? endReason = null,
        long? updatedAt = null, bool rolled = false) => RunAsync(
        """
        INSERT INTO conversations (tenant_id, id, channel_id, account_id, visitor_id, mode, group_id, agent_id, region, status, created_at, answered_at, ended_at, end_reason, updated_at, rolled)
        VALUES (@tenantId, @id, @channelId, @accountId, @visitorId, 'Online', @groupId, @agentId, @region, @status, @createdAt, @answeredAt, @endedAt, @endReason, @updatedAt, @rolled)
        """, new
        {
            tenantId, id, channelId, accountId, visitorId, groupId, agentId, region, status, createdAt, answeredAt, endedAt, endReason,
            updatedAt = updatedAt ?? createdAt, rolled = rolled ? 1 : (int?)null,
        });

    /// <summary>A completed conversation with its messages, waiting for the dashboard's roll-up; completions come in the order written.</summary>
    public Task CompletedAsync(string id, string visitor, string? account, string? agent, params (string Sender, DateTimeOffset At)[] messages)
        => CompletedAsync(id, visitor, account, agent, null, messages.Min(m => m.At), null, messages);

    /// <summary>
    /// A completed conversation through a group, answered at a time or not, with its messages (each "hi"), waiting for the
    /// dashboard's roll-up: the messages first, so that a roll-up running meanwhile never finds the conversation without them.
    /// Its id is the tenant's and <paramref name="id"/>, unique across tenants as the engine's are.
    /// </summary>
    public async Task CompletedAsync(string id, string visitor, string? account, string? agent, string? group, DateTimeOffset created,
        DateTimeOffset? answered, (string Sender, DateTimeOffset At)[] messages, string endReason = "AgentEnded", DateTimeOffset? endedAt = null)
    {
        id = $"{tenantId}-{id}";
        var seq = 0;
        foreach (var (sender, at) in messages.OrderBy(m => m.At))
            await MessageAsync(id, ++seq, sender, "hi", at.ToUnixTimeMilliseconds(), sender == "agent" ? agent : null);
        var ended = endedAt ?? (messages.Length == 0 ? created : messages.Max(m => m.At));
        await ConversationAsync(id, created.ToUnixTimeMilliseconds(), agent, account, group, visitorId: visitor, answeredAt: answered?.ToUnixTimeMilliseconds(),
            endedAt: ended.ToUnixTimeMilliseconds(), endReason: endReason, updatedAt: Interlocked.Increment(ref _completions), rolled: true);
    }

    /// <summary>A visit (a flow run began) through an account or none, waiting for the dashboard's roll-up.</summary>
    public Task VisitAsync(string id, string visitor, string? account, DateTimeOffset at) => RunAsync(
        "INSERT INTO visits (tenant_id, id, visitor_id, account_id, at, rolled) VALUES (@tenantId, @id, @visitor, @account, @at, 1)",
        new { tenantId, id, visitor, account, at = at.ToUnixTimeMilliseconds() });

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
