using Dapper;

namespace Engine.Persistence.Admin;

public sealed class ScreenPopRow
{
    public string Id { get; set; } = "";
    public string Name { get; set; } = "";
    public string Url { get; set; } = "";
    public int Enabled { get; set; }
    public int Position { get; set; }
    public long CreatedAt { get; set; }
    public long UpdatedAt { get; set; }
}

/// <summary>ST-2: at most <see cref="MaxPerTenant"/> screen pops per tenant, in the order admins give them.</summary>
public sealed class ScreenPopStore(Database database)
{
    public const int MaxPerTenant = 5;

    private const string Columns = "id AS Id, name AS Name, url AS Url, enabled AS Enabled, position AS Position, created_at AS CreatedAt, updated_at AS UpdatedAt";

    public async Task<IReadOnlyList<ScreenPopRow>> ListAsync(string tenantId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return [.. await connection.QueryAsync<ScreenPopRow>(new CommandDefinition(
            $"SELECT {Columns} FROM screen_pops WHERE tenant_id = @tenantId ORDER BY position", new { tenantId }, cancellationToken: cancellationToken)).ConfigureAwait(false)];
    }

    /// <summary>Adds the pop last; false when the tenant already has <see cref="MaxPerTenant"/> (checked and written under one lock).</summary>
    public async Task<bool> InsertAsync(string tenantId, ScreenPopRow pop, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await database.LockTenantAsync(connection, transaction, tenantId, cancellationToken).ConfigureAwait(false);
        var (count, last) = await connection.QuerySingleAsync<(long, long)>(new CommandDefinition(
            "SELECT COUNT(*), CAST(COALESCE(MAX(position), 0) AS BIGINT) FROM screen_pops WHERE tenant_id = @tenantId", new { tenantId }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (count >= MaxPerTenant) return false;
        pop.Position = (int)last + 1;
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO screen_pops (id, tenant_id, name, url, enabled, position, created_at, updated_at) VALUES (@Id, @tenantId, @Name, @Url, @Enabled, @Position, @CreatedAt, @UpdatedAt)",
            new { pop.Id, tenantId, pop.Name, pop.Url, pop.Enabled, pop.Position, pop.CreatedAt, pop.UpdatedAt }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        await Audit.RecordAsync(connection, transaction, pop.Id, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    public Task<bool> UpdateAsync(string tenantId, string id, string name, string url, bool enabled, long now, CancellationToken cancellationToken)
        => database.ChangeOneAsync(
            "UPDATE screen_pops SET name = @name, url = @url, enabled = @enabled, updated_at = @now WHERE tenant_id = @tenantId AND id = @id",
            new { tenantId, id, name, url, enabled = enabled ? 1 : 0, now }, cancellationToken);

    /// <summary>Swaps the pop with its neighbour before (<paramref name="up"/>) or after it; false when it is not found, true when at the end already.</summary>
    public async Task<bool> MoveAsync(string tenantId, string id, bool up, long now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await database.LockTenantAsync(connection, transaction, tenantId, cancellationToken).ConfigureAwait(false);
        var pops = (await connection.QueryAsync<ScreenPopRow>(new CommandDefinition(
            $"SELECT {Columns} FROM screen_pops WHERE tenant_id = @tenantId ORDER BY position", new { tenantId }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false)).ToList();
        var index = pops.FindIndex(p => p.Id == id);
        if (index < 0) return false;
        var other = up ? index - 1 : index + 1;
        if (other >= 0 && other < pops.Count)
        {
            const string set = "UPDATE screen_pops SET position = @position, updated_at = @now WHERE id = @id";
            await connection.ExecuteAsync(new CommandDefinition(set, new { id = pops[index].Id, position = pops[other].Position, now }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            await connection.ExecuteAsync(new CommandDefinition(set, new { id = pops[other].Id, position = pops[index].Position, now }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            await Audit.RecordAsync(connection, transaction, id, cancellationToken).ConfigureAwait(false);
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    public Task<bool> DeleteAsync(string tenantId, string id, CancellationToken cancellationToken)
        => database.ChangeOneAsync("DELETE FROM screen_pops WHERE tenant_id = @tenantId AND id = @id", new { tenantId, id }, cancellationToken);
}
