using Dapper;
using Engine.Benchmarks.Harness;
using Engine.Persistence;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Engine.Benchmarks.History;

/// <summary>
/// The store that <c>history</c> fills and <c>dashboard</c> reads afterwards, so it outlives a run: for <c>sqlite</c> the
/// file <c>engine.db</c> in the <c>--data</c> folder, for <c>postgres</c> the database in <c>ConnectionStrings__Engine</c>.
/// </summary>
internal sealed class HistoryDatabase
{
    private readonly string? _folder;

    private HistoryDatabase(string name, Database database, string where, string? folder)
    {
        Name = name;
        Database = database;
        Where = where;
        _folder = folder;
    }

    public static HarnessOption StoreOption { get; } =
        new("store", OptionKind.Text, "sqlite (engine.db in --data) or postgres (the database in ConnectionStrings__Engine)", "sqlite", Placeholder: "sqlite|postgres");

    public static HarnessOption DataOption { get; } =
        new("data", OptionKind.Text, "the SQLite store's folder, kept between history and dashboard", Path.Combine(Path.GetTempPath(), "engine-history"), Placeholder: "DIR");

    public string Name { get; }

    public Database Database { get; }

    /// <summary>Where the store is, for the output: the SQLite file, or PostgreSQL's host, port and database (never a password).</summary>
    public string Where { get; }

    public static HistoryDatabase Open(ParsedOptions options)
    {
        var store = options.GetText("store")!;
        switch (store)
        {
            case "sqlite":
                var folder = Path.GetFullPath(options.GetText("data")!);
                var database = Database.SqliteFile(folder);
                return new HistoryDatabase(store, database, new SqliteConnectionStringBuilder(database.ConnectionString).DataSource, folder);
            case "postgres":
                var connectionString = Environment.GetEnvironmentVariable("ConnectionStrings__Engine")
                    ?? throw new UsageException("--store postgres reads the connection string from ConnectionStrings__Engine, which is not set");
                var builder = new NpgsqlConnectionStringBuilder(connectionString);
                return new HistoryDatabase(store, new Database(Dialect.Postgres, connectionString), $"{builder.Host}:{builder.Port}/{builder.Database}", null);
            default:
                throw new UsageException($"--store must be sqlite or postgres, not '{store}'");
        }
    }

    /// <summary>
    /// Empties the store and migrates it: the SQLite file is deleted; PostgreSQL's tables in the connection's schema are
    /// dropped, but only when they are an Engine store's (a <c>schema_migrations</c> table among them) or there are none.
    /// </summary>
    public async Task ResetAsync(CancellationToken cancellationToken)
    {
        if (_folder is not null)
        {
            SqliteConnection.ClearAllPools();
            foreach (var suffix in new[] { "", "-wal", "-shm", "-journal" }) File.Delete(Where + suffix);
        }
        else
        {
            await using var connection = await Database.OpenAsync(cancellationToken).ConfigureAwait(false);
            var (others, migrations) = await connection.QuerySingleAsync<(long, long)>(new CommandDefinition(
                """
                SELECT COUNT(*) FILTER (WHERE tablename <> 'schema_migrations'), COUNT(*) FILTER (WHERE tablename = 'schema_migrations')
                FROM pg_tables WHERE schemaname = current_schema()
                """, cancellationToken: cancellationToken)).ConfigureAwait(false);
            if (others > 0 && migrations == 0)
                throw new UsageException($"the database at {Where} holds tables that are not an Engine store's (no schema_migrations); history empties only an Engine store");
            await connection.ExecuteAsync(new CommandDefinition(
                """
                DO $$
                DECLARE t record;
                BEGIN
                    FOR t IN SELECT schemaname, tablename FROM pg_tables WHERE schemaname = current_schema() LOOP
                        EXECUTE format('DROP TABLE IF EXISTS %I.%I CASCADE', t.schemaname, t.tablename);
                    END LOOP;
                END $$
                """, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }
        await Migrator.MigrateAsync(Database, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Whether there is an Engine store to read: the SQLite file, or PostgreSQL's <c>schema_migrations</c> table.</summary>
    public async Task<bool> ExistsAsync(CancellationToken cancellationToken)
    {
        if (_folder is not null) return File.Exists(Where);
        await using var connection = await Database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT to_regclass('schema_migrations') IS NOT NULL", cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>The store's size on disk in MB: the SQLite file and its WAL, or PostgreSQL's database.</summary>
    public async Task<double> SizeMbAsync(CancellationToken cancellationToken)
    {
        long bytes;
        if (_folder is not null)
        {
            bytes = new[] { "", "-wal" }.Select(s => new FileInfo(Where + s)).Where(f => f.Exists).Sum(f => f.Length);
        }
        else
        {
            await using var connection = await Database.OpenAsync(cancellationToken).ConfigureAwait(false);
            bytes = await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT pg_database_size(current_database())", cancellationToken: cancellationToken)).ConfigureAwait(false);
        }
        return Math.Round(bytes / 1024.0 / 1024.0, 1);
    }
}
