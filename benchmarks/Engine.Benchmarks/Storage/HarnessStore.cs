using Engine.Persistence;
using Microsoft.Extensions.Logging.Abstractions;

namespace Engine.Benchmarks.Storage;

/// <summary>
/// The store a harness command runs on: <c>memory</c> (none), <c>sqlite</c> (a fresh file in a temporary
/// folder) or <c>postgres</c> (the database in <c>ConnectionStrings__Engine</c>), migrated and with its group commit.
/// </summary>
internal sealed class HarnessStore : IAsyncDisposable
{
    private readonly DirectoryInfo? _folder;

    private HarnessStore(string name, Database? database, DirectoryInfo? folder)
    {
        Name = name;
        Database = database;
        _folder = folder;
        Commit = database is null ? null : new GroupCommit(database, NullLogger<GroupCommit>.Instance);
    }

    public string Name { get; }

    public Database? Database { get; }

    public GroupCommit? Commit { get; }

    public static async Task<HarnessStore> OpenAsync(string store, CancellationToken cancellationToken)
    {
        HarnessStore opened;
        switch (store)
        {
            case "memory":
                return new HarnessStore(store, null, null);
            case "sqlite":
                var folder = Directory.CreateTempSubdirectory("engine-bench-");
                opened = new HarnessStore(store, Database.SqliteFile(folder.FullName), folder);
                break;
            case "postgres":
                var connectionString = Environment.GetEnvironmentVariable("ConnectionStrings__Engine")
                    ?? throw new Harness.UsageException("--store postgres reads the connection string from ConnectionStrings__Engine, which is not set");
                opened = new HarnessStore(store, new Database(Dialect.Postgres, connectionString), null);
                break;
            default:
                throw new Harness.UsageException($"--store must be memory, sqlite or postgres, not '{store}'");
        }
        await Migrator.MigrateAsync(opened.Database!, cancellationToken).ConfigureAwait(false);
        return opened;
    }

    public async ValueTask DisposeAsync()
    {
        if (Commit is not null) await Commit.DisposeAsync().ConfigureAwait(false);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _folder?.Delete(recursive: true);
    }
}
