using Dapper;
using Engine.Persistence;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Engine.Tests.Persistence;

/// <summary>
/// A fresh, migrated store for one test: a SQLite file in a temporary folder, or a new database on the
/// PostgreSQL cluster that <c>./test.sh</c> starts (its connection string in <c>ConnectionStrings__Postgres</c>).
/// PostgreSQL tests fail, never skip, when that cluster is not there.
/// </summary>
public sealed class TestStore : IAsyncDisposable
{
    private readonly Func<Task> _drop;

    private TestStore(Database database, Func<Task> drop)
    {
        Database = database;
        _drop = drop;
        Commit = new GroupCommit(database, NullLogger<GroupCommit>.Instance);
    }

    public Database Database { get; }

    public GroupCommit Commit { get; }

    /// <summary>A store migrated to the newest version, or only through <paramref name="through"/>.</summary>
    public static async Task<TestStore> CreateAsync(StoreKind kind, int? through = null)
    {
        var store = kind == StoreKind.Sqlite ? Sqlite() : await PostgresAsync();
        await Migrator.MigrateAsync(store.Database, through: through);
        return store;
    }

    /// <summary>A store by name for tests that run on each: <c>memory</c> (null: the runtime's own), <c>sqlite</c> or <c>postgres</c>.</summary>
    public static async Task<TestStore?> ForAsync(string store) => store switch
    {
        "memory" => null,
        "sqlite" => await CreateAsync(StoreKind.Sqlite),
        "postgres" => await CreateAsync(StoreKind.Postgres),
        _ => throw new ArgumentOutOfRangeException(nameof(store), store, "memory, sqlite or postgres"),
    };

    public static string PostgresServer => Environment.GetEnvironmentVariable("ConnectionStrings__Postgres")
        ?? throw new InvalidOperationException("ConnectionStrings__Postgres is not set: run the tests with ./test.sh, which starts a throwaway PostgreSQL.");

    private static TestStore Sqlite()
    {
        var folder = Directory.CreateTempSubdirectory("engine-sqlite-");
        return new TestStore(Database.SqliteFile(folder.FullName), () =>
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            folder.Delete(recursive: true);
            return Task.CompletedTask;
        });
    }

    private static async Task<TestStore> PostgresAsync()
    {
        var name = "engine_test_" + Guid.NewGuid().ToString("N");
        var server = new NpgsqlConnectionStringBuilder(PostgresServer);
        await using (var admin = new NpgsqlConnection(server.ConnectionString))
        {
            await admin.ExecuteAsync($"CREATE DATABASE {name}");
        }
        var own = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = name };
        return new TestStore(new Database(Dialect.Postgres, own.ConnectionString), async () =>
        {
            NpgsqlConnection.ClearAllPools();
            await using var admin = new NpgsqlConnection(server.ConnectionString);
            await admin.ExecuteAsync($"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
        });
    }

    public async ValueTask DisposeAsync()
    {
        await Commit.DisposeAsync();
        await _drop();
    }
}
