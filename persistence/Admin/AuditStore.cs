using Dapper;

namespace Engine.Persistence.Admin;

/// <summary>An audit record as listed, with the actor's name and email as they are now (users are never erased).</summary>
public sealed class AuditRow
{
    public string Id { get; set; } = "";
    public string? TenantId { get; set; }
    public long At { get; set; }
    public string ActorId { get; set; } = "";
    public string ActorRole { get; set; } = "";
    public string? ActorName { get; set; }
    public string? ActorEmail { get; set; }
    public string Via { get; set; } = "";
    public string? Address { get; set; }
    public string Method { get; set; } = "";
    public string Route { get; set; } = "";
    public string TargetType { get; set; } = "";
    public string? TargetId { get; set; }
    public string Summary { get; set; } = "";
}

/// <summary>
/// What a trail can be narrowed to; null means any. <see cref="TenantId"/> null with <see cref="AllTenants"/>
/// false is the platform's own records. <see cref="Before"/> is the keyset position: records older than it.
/// </summary>
public sealed record AuditFilter(
    string? TenantId, bool AllTenants = false, string? ActorId = null, string? TargetId = null, string? TargetType = null,
    long? From = null, long? To = null, (long At, string Id)? Before = null);

/// <summary>Reads the audit trail, newest first, a page at a time by keyset (the records are only ever added).</summary>
public sealed class AuditStore(Database database)
{
    /// <summary>Up to <paramref name="limit"/> records, and whether older ones match too.</summary>
    public async Task<(IReadOnlyList<AuditRow> Items, bool More)> ListAsync(AuditFilter filter, int limit, CancellationToken cancellationToken)
    {
        var tenant = filter.AllTenants ? "" : filter.TenantId is null ? "a.tenant_id IS NULL AND " : "a.tenant_id = @TenantId AND ";
        var sql = $"""
            SELECT a.id AS Id, a.tenant_id AS TenantId, a.at AS At, a.actor_id AS ActorId, a.actor_role AS ActorRole, u.name AS ActorName, u.email AS ActorEmail,
                   a.via AS Via, a.address AS Address, a.method AS Method, a.route AS Route, a.target_type AS TargetType, a.target_id AS TargetId, a.summary AS Summary
            FROM audit_records a LEFT JOIN users u ON u.id = a.actor_id
            WHERE {tenant}a.withdrawn = 0
              AND (@ActorId IS NULL OR a.actor_id = @ActorId)
              AND (@TargetId IS NULL OR a.target_id = @TargetId)
              AND (@TargetType IS NULL OR a.target_type = @TargetType)
              AND (@From IS NULL OR a.at >= @From)
              AND (@To IS NULL OR a.at < @To)
              AND (@BeforeAt IS NULL OR a.at < @BeforeAt OR (a.at = @BeforeAt AND a.id < @BeforeId))
            ORDER BY a.at DESC, a.id DESC
            LIMIT @Take
            """;
        var args = new
        {
            filter.TenantId, filter.ActorId, filter.TargetId, filter.TargetType, filter.From, filter.To,
            BeforeAt = filter.Before?.At, BeforeId = filter.Before?.Id, Take = limit + 1,
        };
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = (await connection.QueryAsync<AuditRow>(new CommandDefinition(sql, args, cancellationToken: cancellationToken)).ConfigureAwait(false)).ToList();
        var more = rows.Count > limit;
        if (more) rows.RemoveAt(limit);
        return (rows, more);
    }
}
