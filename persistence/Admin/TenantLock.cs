using System.Data.Common;
using Dapper;

namespace Engine.Persistence.Admin;

internal static class TenantLock
{
    /// <summary>Takes the dialect's lock for a per-tenant limit check (<see cref="Dialect.LockTenantSql"/>).</summary>
    public static Task LockTenantAsync(this Database database, DbConnection connection, DbTransaction transaction, string tenantId, CancellationToken cancellationToken)
        => database.Dialect.LockTenantSql is { } sql
            ? connection.ExecuteAsync(new CommandDefinition(sql, new { tenantId }, transaction, cancellationToken: cancellationToken))
            : Task.CompletedTask;
}
