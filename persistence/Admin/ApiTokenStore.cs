using Dapper;

namespace Engine.Persistence.Admin;

public sealed class ApiTokenOwner
{
    public string TokenId { get; set; } = "";
    public string UserId { get; set; } = "";
    public string TenantId { get; set; } = "";
    public string Role { get; set; } = "";
    public long? ExpiresAt { get; set; }
    public long? LastUsedAt { get; set; }
}

/// <summary>A token as listed: never its secret.</summary>
public sealed class ApiTokenRow
{
    public string Id { get; set; } = "";
    public string Name { get; set; } = "";
    public string UserId { get; set; } = "";
    public string UserName { get; set; } = "";
    public long CreatedAt { get; set; }
    public long? ExpiresAt { get; set; }
    public long? LastUsedAt { get; set; }
}

/// <summary>Opaque bearer tokens for scripts and load testers; only their SHA-256 is stored.</summary>
public sealed class ApiTokenStore(Database database)
{
    /// <summary>How often a token's last use is written: at most once a minute, whatever its traffic.</summary>
    public const long LastUseResolutionMs = 60_000;

    public Task InsertAsync(string id, string tenantId, string userId, string tokenHash, string name, long now, long? expiresAt, CancellationToken cancellationToken)
        => database.ChangeAsync((connection, transaction) => connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO api_tokens (id, tenant_id, user_id, token_hash, name, created_at, expires_at) VALUES (@id, @tenantId, @userId, @tokenHash, @name, @now, @expiresAt)",
            new { id, tenantId, userId, tokenHash, name, now, expiresAt }, transaction, cancellationToken: cancellationToken)), id, cancellationToken);

    /// <summary>
    /// Whom a live token (not revoked, not expired, its user not deleted) acts for; null otherwise. Records the use
    /// when the last one on record is over a minute old.
    /// </summary>
    public async Task<ApiTokenOwner?> FindAsync(string tokenHash, long now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var owner = await connection.QuerySingleOrDefaultAsync<ApiTokenOwner>(new CommandDefinition(
            """
            SELECT t.id AS TokenId, u.id AS UserId, t.tenant_id AS TenantId, u.role AS Role, t.expires_at AS ExpiresAt, t.last_used_at AS LastUsedAt
            FROM api_tokens t JOIN users u ON u.id = t.user_id
            WHERE t.token_hash = @tokenHash AND t.revoked_at IS NULL AND u.deleted_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > @now)
            """, new { tokenHash, now }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (owner is not null && (owner.LastUsedAt is not { } last || now - last >= LastUseResolutionMs))
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE api_tokens SET last_used_at = @now WHERE id = @id", new { id = owner.TokenId, now }, cancellationToken: cancellationToken)).ConfigureAwait(false);
            owner.LastUsedAt = now;
        }
        return owner;
    }

    /// <summary>The tenant's live tokens (not revoked, expired ones included), newest first; one user's when <paramref name="userId"/> is given.</summary>
    public async Task<Page<ApiTokenRow>> ListAsync(string tenantId, string? userId, int offset, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        const string where = "WHERE t.tenant_id = @tenantId AND t.revoked_at IS NULL AND (@userId IS NULL OR t.user_id = @userId)";
        var args = new { tenantId, userId, offset, limit };
        var total = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            $"SELECT COUNT(*) FROM api_tokens t {where}", args, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var rows = await connection.QueryAsync<ApiTokenRow>(new CommandDefinition(
            $"""
            SELECT t.id AS Id, t.name AS Name, t.user_id AS UserId, u.name AS UserName, t.created_at AS CreatedAt, t.expires_at AS ExpiresAt, t.last_used_at AS LastUsedAt
            FROM api_tokens t JOIN users u ON u.id = t.user_id {where}
            ORDER BY t.created_at DESC, t.id LIMIT @limit OFFSET @offset
            """, args, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return new Page<ApiTokenRow>([.. rows], total, offset, limit);
    }

    /// <summary>Revokes a live token of the tenant (of one user when <paramref name="userId"/> is given); false when there is none.</summary>
    public Task<bool> RevokeAsync(string tenantId, string id, string? userId, long now, CancellationToken cancellationToken)
        => database.ChangeOneAsync(
            "UPDATE api_tokens SET revoked_at = @now WHERE id = @id AND tenant_id = @tenantId AND revoked_at IS NULL AND (@userId IS NULL OR user_id = @userId)",
            new { tenantId, id, userId, now }, cancellationToken);
}
