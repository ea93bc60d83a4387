using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Engine.Persistence;

public enum StoreKind
{
    Sqlite,
    Postgres,
}

/// <summary>The few places where SQLite and PostgreSQL differ; everything else is shared SQL.</summary>
public abstract class Dialect
{
    public static readonly Dialect Sqlite = new SqliteDialect();
    public static readonly Dialect Postgres = new PostgresDialect();

    public abstract StoreKind Kind { get; }

    /// <summary>The column type of binary content.</summary>
    protected abstract string BytesType { get; }

    /// <summary>Fills in the dialect's tokens of a shared script.</summary>
    public string Prepare(string sql) => sql.Replace("{{bytes}}", BytesType, StringComparison.Ordinal);

    public abstract DbConnection Create(string connectionString);

    /// <summary>The connection string with the store's tuning applied where the configuration left it unset.</summary>
    public virtual string Tune(string connectionString) => connectionString;

    /// <summary>Session settings run on every new connection.</summary>
    public virtual Task ConfigureAsync(DbConnection connection, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Serializes migrations between processes that start together.</summary>
    public abstract string MigrationLockSql { get; }

    /// <summary>Serializes the dashboard's roll-ups (one at a time across servers), inside their transaction.</summary>
    public abstract string RollupLockSql { get; }

    /// <summary>
    /// <c>column IN (list)</c> for a list passed as an array: PostgreSQL takes it as one array parameter
    /// (<c>= ANY</c>); for SQLite Dapper expands it into one parameter per item.
    /// </summary>
    public abstract string In(string column, string parameter);

    /// <summary>
    /// Serializes, inside a transaction, the writes that check a per-tenant limit first (at most 5 screen
    /// pops, the last admin...). Null where the transaction already holds the store's write lock from its
    /// start (SQLite begins IMMEDIATE). The SQL takes <c>@tenantId</c>.
    /// </summary>
    public abstract string? LockTenantSql { get; }

    /// <summary>The same for the count of tenants itself (TN-1).</summary>
    public abstract string? LockTenantsSql { get; }

    /// <summary>When <paramref name="error"/> is a unique-constraint violation, what names the constraint (its name or the message naming its columns); otherwise null.</summary>
    public abstract string? UniqueViolation(DbException error);

    /// <summary>
    /// Every SQLite connection's settings. WAL: readers never wait for the writer. synchronous=FULL: a
    /// committed transaction is on disk (fsync); the group commit's writer flushes on its own instead.
    /// </summary>
    internal const string SqlitePragmas = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000; ";

    private sealed class SqliteDialect : Dialect
    {
        public override StoreKind Kind => StoreKind.Sqlite;
        protected override string BytesType => "BLOB";
        public override string MigrationLockSql => "SELECT 1";
        public override string RollupLockSql => "SELECT 1";
        public override string In(string column, string parameter) => $"{column} IN @{parameter}";
        public override string? LockTenantSql => null;
        public override string? LockTenantsSql => null;

        public override string? UniqueViolation(DbException error)
            => error is SqliteException { SqliteErrorCode: 19 } e && e.Message.Contains("UNIQUE", StringComparison.Ordinal) ? e.Message : null;

        public override DbConnection Create(string connectionString) => new SqliteConnection(connectionString);

        /// <summary>The native connections already configured: a pooled connection keeps its settings between opens.</summary>
        private readonly System.Runtime.CompilerServices.ConditionalWeakTable<SQLitePCL.sqlite3, object> _configured = [];

        public override async Task ConfigureAsync(DbConnection connection, CancellationToken cancellationToken)
        {
            var handle = ((SqliteConnection)connection).Handle!;
            if (_configured.TryGetValue(handle, out _)) return;
            await using var command = connection.CreateCommand();
            command.CommandText = SqlitePragmas;
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            _configured.TryAdd(handle, handle);
        }
    }

    private sealed class PostgresDialect : Dialect
    {
        public override StoreKind Kind => StoreKind.Postgres;
        protected override string BytesType => "BYTEA";
        public override string MigrationLockSql => "SELECT pg_advisory_xact_lock(7305007)";
        public override string RollupLockSql => "SELECT pg_advisory_xact_lock(7305016)";
        public override string In(string column, string parameter) => $"{column} = ANY(@{parameter})";
        public override string LockTenantSql => "SELECT 1 FROM tenants WHERE id = @tenantId FOR UPDATE";
        public override string LockTenantsSql => "LOCK TABLE tenants IN SHARE ROW EXCLUSIVE MODE";

        public override string? UniqueViolation(DbException error)
            => error is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } e ? e.ConstraintName ?? "" : null;

        public override DbConnection Create(string connectionString) => new NpgsqlConnection(connectionString);

        /// <summary>
        /// Statements the engine repeats (grain state, history rows) are prepared on each connection once
        /// they ran twice: parsing and planning them every time halved the group commit's throughput.
        /// </summary>
        public override string Tune(string connectionString)
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            if (builder.MaxAutoPrepare == 0)
            {
                builder.MaxAutoPrepare = 64;
                builder.AutoPrepareMinUsages = 2;
            }
            return builder.ConnectionString;
        }
    }
}

/// <summary>A configured store: its dialect and connection string, and a way to open a ready connection.</summary>
public sealed class Database(Dialect dialect, string connectionString)
{
    public Dialect Dialect { get; } = dialect;

    public string ConnectionString { get; } = dialect.Tune(connectionString);

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        var connection = Dialect.Create(ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await Dialect.ConfigureAsync(connection, cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch (DbException)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The embedded default: a SQLite file under <paramref name="dataDir"/>, created with its folder when missing.</summary>
    public static Database SqliteFile(string dataDir)
    {
        Directory.CreateDirectory(dataDir);
        var path = Path.GetFullPath(Path.Combine(dataDir, "engine.db"));
        return new Database(Dialect.Sqlite, new SqliteConnectionStringBuilder { DataSource = path, Pooling = true }.ToString());
    }
}
