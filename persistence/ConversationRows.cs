using System.Runtime.CompilerServices;
using Engine.Conversations;
using Engine.Grains.Storage;

namespace Engine.Persistence;

/// <summary>
/// A conversation's live state and its record are one row of <c>conversations</c>: every save of the
/// conversation grain is one statement that updates the record's columns and the state (payload and ETag)
/// together, and completion keeps the record and drops the state. A row with state is a live conversation,
/// and <c>live</c> marks it for the partial index <c>ix_conversations_live</c>: set by the first save and
/// cleared by completion, so that the saves between leave that index alone (a condition on <c>state</c>
/// would make every save rewrite the index entry). They leave <c>ix_conversations_tenant_time</c> alone too
/// unless the agent changed: an update names the agent and group only when they differ from what this
/// state last stored.
/// </summary>
internal static class ConversationRows
{
    public const string GrainType = "ConversationGrain";

    public const string ReadSql = "SELECT etag AS Etag, state AS Payload FROM conversations WHERE id = @Key AND tenant_id = @Tenant AND state IS NOT NULL";

    public const string ListLiveSql = "SELECT tenant_id, id FROM conversations WHERE live IS NOT NULL";

    /// <summary>The live conversations naming an agent (offered, active, ended but not completed), by the partial index <c>ix_conversations_live</c>.</summary>
    public const string HeldBySql = "SELECT state FROM conversations WHERE tenant_id = @tenant AND agent_id = @agentId AND live IS NOT NULL";

    /// <summary>The live conversations waiting in a group's queue, from which the group rebuilds it.</summary>
    public const string QueuedInSql = "SELECT state FROM conversations WHERE tenant_id = @tenant AND group_id = @groupId AND status = 'Queued' AND live IS NOT NULL";

    private const string Route = "group_id = @GroupId, agent_id = @AgentId, ";

    private const string Columns = "status = @Status, queued_at = @QueuedAt, offered_at = @OfferedAt, answered_at = @AnsweredAt, ended_at = @EndedAt, end_reason = @EndReason, updated_at = @Now";

    /// <summary>
    /// The first save. A record of the tenant under the same id, completed or live, is left alone, which makes
    /// the write a conflict: a record is never taken over.
    /// </summary>
    private const string InsertSql =
        "INSERT INTO conversations (id, tenant_id, visitor_id, mode, group_id, agent_id, status, created_at, queued_at, offered_at, answered_at, ended_at, end_reason, updated_at, state, etag, live, channel_id, account_id, region) "
        + "VALUES (@Id, @Tenant, @VisitorId, @Mode, @GroupId, @AgentId, @Status, @CreatedAt, @QueuedAt, @OfferedAt, @AnsweredAt, @EndedAt, @EndReason, @Now, @State, 1, 1, @ChannelId, @AccountId, @Region) "
        + "ON CONFLICT (tenant_id, id) DO NOTHING";

    private const string Live = " WHERE id = @Id AND tenant_id = @Tenant AND etag = @Etag AND state IS NOT NULL";

    private const string UpdateSql = "UPDATE conversations SET " + Columns + ", state = @State, etag = etag + 1" + Live;

    private const string UpdateMovedSql = "UPDATE conversations SET " + Route + Columns + ", state = @State, etag = etag + 1" + Live;

    /// <summary>Completion also queues the record for the dashboard's roll-up (<c>rolled</c>).</summary>
    private const string FinishSql = "UPDATE conversations SET " + Columns + ", state = NULL, etag = NULL, live = NULL, rolled = 1" + Live;

    private const string FinishMovedSql = "UPDATE conversations SET " + Route + Columns + ", state = NULL, etag = NULL, live = NULL, rolled = 1" + Live;

    /// <summary>The agent and group each state instance last stored; unknown (so written again) after a read.</summary>
    private static readonly ConditionalWeakTable<ConversationState, StoredRoute> Stored = [];

    /// <summary>Saves the conversation's state with its record; returns the rows it changed (1, or 0 on a conflict).</summary>
    public static Task<int> SaveAsync(GroupCommit commit, string tenant, ConversationState c, ReadOnlyMemory<byte> state, long? etag, DateTimeOffset now)
    {
        var moved = etag is null || Moved(c);
        var sql = etag is null ? InsertSql : moved ? UpdateMovedSql : UpdateSql;
        return RunAsync(commit, c, new SqlWrite(sql, Parameters(tenant, c, state, etag ?? 0, now)), moved);
    }

    /// <summary>Completion: keeps the record, drops the state; returns the rows it changed.</summary>
    public static Task<int> FinishAsync(GroupCommit commit, string tenant, ConversationState c, long etag, DateTimeOffset now)
    {
        var moved = Moved(c);
        return RunAsync(commit, c, new SqlWrite(moved ? FinishMovedSql : FinishSql, Parameters(tenant, c, null, etag, now)), moved);
    }

    private static bool Moved(ConversationState c)
        => !Stored.TryGetValue(c, out var stored) || stored.AgentId != c.AgentId || stored.GroupId != c.GroupId;

    /// <summary>
    /// Runs a save or the finish through the group commit. Once a write that named the route is durable,
    /// remembers the agent and group the row now holds; a failed one forgets them, so the next writes everything.
    /// </summary>
    private static async Task<int> RunAsync(GroupCommit commit, ConversationState c, SqlWrite write, bool moved)
    {
        var rows = 0;
        try
        {
            rows = await commit.RunAsync(write).ConfigureAwait(false);
        }
        finally
        {
            if (rows != 1) Stored.Remove(c);
            else if (moved) Stored.AddOrUpdate(c, new StoredRoute(c.AgentId, c.GroupId));
        }
        return rows;
    }

    /// <summary>Always the same names in the same order: SQLite binds them by position once learned.</summary>
    private static (string, object?)[] Parameters(string tenant, ConversationState c, object? state, long etag, DateTimeOffset now) =>
    [
        ("@Id", c.Id), ("@Tenant", tenant), ("@VisitorId", c.VisitorId), ("@Mode", c.Mode.ToString()),
        ("@GroupId", c.GroupId), ("@AgentId", c.AgentId), ("@Status", c.Status.ToString()),
        ("@CreatedAt", c.CreatedAt.ToUnixTimeMilliseconds()), ("@QueuedAt", c.QueuedAt?.ToUnixTimeMilliseconds()),
        ("@OfferedAt", c.OfferedAt?.ToUnixTimeMilliseconds()), ("@AnsweredAt", c.AnsweredAt?.ToUnixTimeMilliseconds()),
        ("@EndedAt", c.EndedAt?.ToUnixTimeMilliseconds()),
        ("@EndReason", c.EndReason == EndReason.None ? null : c.EndReason.ToString()),
        ("@Now", now.ToUnixTimeMilliseconds()), ("@State", state), ("@Etag", etag),
        ("@ChannelId", c.ChannelId), ("@AccountId", c.AccountId), ("@Region", c.Region),
    ];

    public static bool Holds(StateKey grain) => grain.Type == GrainType;

    private sealed record StoredRoute(string? AgentId, string? GroupId);
}
