using Dapper;

namespace Engine.Persistence.Admin;

public sealed class ApiTokenOwner
{
    public string TokenId { get; set; } = "";
    public string UserId { get; set; } = "";
    public string TenantId { get; set; } = "";
    public string Role { get; set; } = "";
}

/// <summary>Opaque bearer tokens for scripts and load testers; only their SHA-256 is stored.</summary>
public sealed class ApiTokenStore(Database database)
{
    public async Task InsertAsync(string id, string tenantId, string userId, string tokenHash, string name, long now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO api_tokens (id, tenant_id, user_id, token_hash, name, created_at) VALUES (@id, @tenantId, @userId, @tokenHash, @name, @now)",
            new { id, tenantId, userId, tokenHash, name, now }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>Whom a live token (not revoked, its user not deleted) acts for; null otherwise.</summary>
    public async Task<ApiTokenOwner?> FindAsync(string tokenHash, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.QuerySingleOrDefaultAsync<ApiTokenOwner>(new CommandDefinition(
            """
            SELECT t.id AS TokenId, u.id AS UserId, t.tenant_id AS TenantId, u.role AS Role
            FROM api_tokens t JOIN users u ON u.id = t.user_id
            WHERE t.token_hash = @tokenHash AND t.revoked_at IS NULL AND u.deleted_at IS NULL
            """, new { tokenHash }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }
}
