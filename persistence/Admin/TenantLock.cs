using System.Collections.Concurrent;
using System.Data.Common;
using Dapper;

namespace Engine.Persistence.Admin;

public static class TenantLock
{
    /// <summary>Takes the dialect's lock for a per-tenant limit check (<see cref="Dialect.LockTenantSql"/>).</summary>
    internal static Task LockTenantAsync(this Database database, DbConnection connection, DbTransaction transaction, string tenantId, CancellationToken cancellationToken)
        => database.Dialect.LockTenantSql is { } sql
            ? connection.ExecuteAsync(new CommandDefinition(sql, new { tenantId }, transaction, cancellationToken: cancellationToken))
            : Task.CompletedTask;

    /// <summary>
    /// Holds one tenant's lock named <paramref name="purpose"/> across work outside the database (calls to
    /// grains), for every process on the store, until disposed: a check, the routing side and the rows it
    /// guards then happen as one step (TN-2: the last admin). Callers in one process wait at an in-process gate
    /// first; on PostgreSQL the holder then takes a transaction-scoped advisory lock on a connection of its own
    /// (for the other processes), so the rows the work writes on other connections are not blocked by it. SQLite
    /// serves one process: the gate alone, which the writes' own transactions do not wait on.
    /// </summary>
    public static async Task<IAsyncDisposable> HoldTenantAsync(this Database database, string tenantId, string purpose, CancellationToken cancellationToken)
    {
        // In this process first: callers of one tenant wait here, not each on a pooled connection of their own.
        var gate = Gates.GetOrAdd((database.ConnectionString, tenantId, purpose), static _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        var held = new GateHold(gate);
        if (database.Dialect.Kind == StoreKind.Sqlite) return held;
        DbConnection? connection = null;
        var handedOver = false;
        try
        {
            connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await connection.ExecuteAsync(new CommandDefinition(
                "SELECT pg_advisory_xact_lock(hashtext(@purpose), hashtext(@tenantId))", new { purpose, tenantId }, transaction,
                cancellationToken: cancellationToken)).ConfigureAwait(false);
            handedOver = true;
            return new TransactionHold(connection, transaction, held);
        }
        finally
        {
            // A failure on the way (no connection, a cancelled wait) lets go of what was taken; the error goes on up.
            if (!handedOver)
            {
                if (connection is not null) await connection.DisposeAsync().ConfigureAwait(false);
                await held.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static readonly ConcurrentDictionary<(string Store, string Tenant, string Purpose), SemaphoreSlim> Gates = new();

    private sealed class GateHold(SemaphoreSlim gate) : IAsyncDisposable
    {
        private int _released;

        public ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) gate.Release();
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>Ending the transaction (rolled back: it wrote nothing) lets the advisory lock go, then the process's gate.</summary>
    private sealed class TransactionHold(DbConnection connection, DbTransaction transaction, GateHold gate) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await transaction.DisposeAsync().ConfigureAwait(false);
                await connection.DisposeAsync().ConfigureAwait(false);
            }
            finally
            {
                await gate.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
