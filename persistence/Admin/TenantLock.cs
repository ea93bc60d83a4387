using System.Data.Common;
using Dapper;

namespace Engine.Persistence.Admin;

internal static class TenantLock
{
    /// <summary>
    /// Serializes transactions that check a per-tenant limit before writing (at most 5 screen pops...).
    /// SQLite's transactions already take the write lock at BEGIN (IMMEDIATE); PostgreSQL locks the tenant's row.
    /// </summary>
    public static Task LockTenantAsync(this Database database, DbConnection connection, DbTransaction transaction, string tenantId, CancellationToken cancellationToken)
        => database.Dialect.Kind == StoreKind.Postgres
            ? connection.ExecuteAsync(new CommandDefinition("SELECT 1 FROM tenants WHERE id = @tenantId FOR UPDATE", new { tenantId }, transaction, cancellationToken: cancellationToken))
            : Task.CompletedTask;
}
