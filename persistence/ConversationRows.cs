using Engine.Conversations;
using Engine.Grains.Runtime;

namespace Engine.Persistence;

/// <summary>
/// A conversation's live state and its record are one row of <c>conversations</c>: every save of the
/// conversation grain is one statement that updates the record's columns and the state (payload and ETag)
/// together, and completion keeps the record and drops the state. A row with state is a live conversation.
/// </summary>
internal static class ConversationRows
{
    public const string GrainType = "ConversationGrain";

    public const string ReadSql = "SELECT etag AS Etag, state AS Payload FROM conversations WHERE id = @Key AND tenant_id = @Tenant AND state IS NOT NULL";

    public const string ListLiveSql = "SELECT tenant_id, id FROM conversations WHERE state IS NOT NULL";

    /// <summary>The live conversations naming an agent (offered, active, ended but not completed), by the partial index <c>ix_conversations_live</c>.</summary>
    public const string HeldBySql = "SELECT state FROM conversations WHERE tenant_id = @tenant AND agent_id = @agentId AND state IS NOT NULL";

    private const string Columns = "group_id = @GroupId, agent_id = @AgentId, status = @Status, queued_at = @QueuedAt, offered_at = @OfferedAt, answered_at = @AnsweredAt, ended_at = @EndedAt, end_reason = @EndReason, updated_at = @Now";

    /// <summary>
    /// The first save. A completed record under the same id is taken over (the id starts again); a live one is
    /// left alone, which makes the write a conflict.
    /// </summary>
    private const string InsertSql =
        "INSERT INTO conversations (id, tenant_id, visitor_id, mode, group_id, agent_id, status, created_at, queued_at, offered_at, answered_at, ended_at, end_reason, updated_at, state, etag) "
        + "VALUES (@Id, @Tenant, @VisitorId, @Mode, @GroupId, @AgentId, @Status, @CreatedAt, @QueuedAt, @OfferedAt, @AnsweredAt, @EndedAt, @EndReason, @Now, @State, 1) "
        + "ON CONFLICT (id) DO UPDATE SET tenant_id = excluded.tenant_id, visitor_id = excluded.visitor_id, mode = excluded.mode, created_at = excluded.created_at, "
        + "group_id = excluded.group_id, agent_id = excluded.agent_id, status = excluded.status, queued_at = excluded.queued_at, offered_at = excluded.offered_at, "
        + "answered_at = excluded.answered_at, ended_at = excluded.ended_at, end_reason = excluded.end_reason, updated_at = excluded.updated_at, state = excluded.state, etag = 1 "
        + "WHERE conversations.state IS NULL";

    private const string UpdateSql = "UPDATE conversations SET " + Columns + ", state = @State, etag = etag + 1 WHERE id = @Id AND tenant_id = @Tenant AND etag = @Etag AND state IS NOT NULL";

    private const string FinishSql = "UPDATE conversations SET " + Columns + ", state = NULL, etag = NULL WHERE id = @Id AND tenant_id = @Tenant AND etag = @Etag AND state IS NOT NULL";

    public static SqlWrite Save(string tenant, ConversationState c, byte[] state, long? etag, DateTimeOffset now)
        => new(etag is null ? InsertSql : UpdateSql, Parameters(tenant, c, state, etag ?? 0, now));

    public static SqlWrite Finish(string tenant, ConversationState c, long etag, DateTimeOffset now)
        => new(FinishSql, Parameters(tenant, c, null, etag, now));

    /// <summary>Always the same names in the same order: SQLite binds them by position once learned.</summary>
    private static (string, object?)[] Parameters(string tenant, ConversationState c, byte[]? state, long etag, DateTimeOffset now) =>
    [
        ("@Id", c.Id), ("@Tenant", tenant), ("@VisitorId", c.VisitorId), ("@Mode", c.Mode.ToString()),
        ("@GroupId", c.GroupId), ("@AgentId", c.AgentId), ("@Status", c.Status.ToString()),
        ("@CreatedAt", c.CreatedAt.ToUnixTimeMilliseconds()), ("@QueuedAt", c.QueuedAt?.ToUnixTimeMilliseconds()),
        ("@OfferedAt", c.OfferedAt?.ToUnixTimeMilliseconds()), ("@AnsweredAt", c.AnsweredAt?.ToUnixTimeMilliseconds()),
        ("@EndedAt", c.EndedAt?.ToUnixTimeMilliseconds()),
        ("@EndReason", c.EndReason == EndReason.None ? null : c.EndReason.ToString()),
        ("@Now", now.ToUnixTimeMilliseconds()), ("@State", state), ("@Etag", etag),
    ];

    public static bool Holds(GrainId grain) => grain.Type == GrainType;
}
