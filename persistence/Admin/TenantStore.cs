using Dapper;

namespace Engine.Persistence.Admin;

public sealed class TenantRow
{
    public const string DefaultTimeZone = "Asia/Shanghai";

    public string Id { get; set; } = "";
    public string Name { get; set; } = "";

    /// <summary>The IANA time zone of reception hours and natural days.</summary>
    public string TimeZone { get; set; } = DefaultTimeZone;
    public long CreatedAt { get; set; }
    public long UpdatedAt { get; set; }
}

/// <summary>Tenants (TN-1): created with their first admin in one transaction.</summary>
public sealed class TenantStore(Database database)
{
    private const string Columns = "id AS Id, name AS Name, time_zone AS TimeZone, created_at AS CreatedAt, updated_at AS UpdatedAt";

    /// <summary>The tenant's time zone (its natural days, reception hours, the times of its exports); the default when it is gone.</summary>
    public async Task<TimeZoneInfo> ZoneAsync(string tenantId, CancellationToken cancellationToken)
        => TimeZoneInfo.FindSystemTimeZoneById((await GetAsync(tenantId, cancellationToken).ConfigureAwait(false))?.TimeZone ?? TenantRow.DefaultTimeZone);

    public async Task<long> CountAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM tenants", cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>
    /// The tenant and its first admin, both or neither; false (nothing written) when there are already
    /// <paramref name="maxTenants"/>. Counted and written under one lock, so parallel creations stop at the limit.
    /// </summary>
    public async Task<bool> CreateAsync(TenantRow tenant, UserRow admin, OutboxRow message, int maxTenants, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (database.Dialect.LockTenantsSql is { } lockSql)
            await connection.ExecuteAsync(new CommandDefinition(lockSql, transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var count = await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM tenants", transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (count >= maxTenants) return false;
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO tenants (id, name, created_at, updated_at) VALUES (@Id, @Name, @CreatedAt, @UpdatedAt)",
            tenant, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        await UserStore.InsertAsync(database.Dialect, connection, transaction, admin, cancellationToken).ConfigureAwait(false);
        await OutboxStore.InsertAsync(connection, transaction, message, cancellationToken).ConfigureAwait(false);
        await Audit.RecordAsync(connection, transaction, tenant.Id, cancellationToken, tenantId: tenant.Id).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    public async Task<TenantRow?> GetAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.QuerySingleOrDefaultAsync<TenantRow>(new CommandDefinition(
            $"SELECT {Columns} FROM tenants WHERE id = @id", new { id }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    public async Task<Page<TenantRow>> ListAsync(int offset, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var total = await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM tenants", cancellationToken: cancellationToken)).ConfigureAwait(false);
        var rows = await connection.QueryAsync<TenantRow>(new CommandDefinition(
            $"SELECT {Columns} FROM tenants ORDER BY created_at, id LIMIT @limit OFFSET @offset", new { limit, offset }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return new Page<TenantRow>([.. rows], total, offset, limit);
    }

    public Task<bool> RenameAsync(string id, string name, string timeZone, long now, CancellationToken cancellationToken)
        => database.ChangeOneAsync("UPDATE tenants SET name = @name, time_zone = @timeZone, updated_at = @now WHERE id = @id", new { id, name, timeZone, now }, cancellationToken);
}
