using Npgsql;

namespace Engine.Driver;

/// <summary>A fresh, empty store for one crash round, and the server settings that point at it.</summary>
public abstract class CrashStore : IAsyncDisposable
{
    public abstract string Name { get; }

    public abstract IReadOnlyDictionary<string, string> Settings { get; }

    public abstract ValueTask DisposeAsync();

    /// <summary><c>sqlite</c>: a new file under <paramref name="workDir"/>; <c>postgres</c>: a new schema in the database of <paramref name="postgresConnectionString"/>.</summary>
    public static async Task<CrashStore> CreateAsync(string kind, string workDir, string? postgresConnectionString, CancellationToken cancellationToken) => kind switch
    {
        "sqlite" => new SqliteCrashStore(Path.Combine(workDir, "data")),
        "postgres" => await PostgresCrashStore.CreateAsync(postgresConnectionString
            ?? throw new InvalidOperationException("--store postgres needs ConnectionStrings__Engine (a PostgreSQL connection string)."), cancellationToken).ConfigureAwait(false),
        _ => throw new ArgumentException($"The store must be sqlite or postgres, not '{kind}'.", nameof(kind)),
    };

    private sealed class SqliteCrashStore(string dataDir) : CrashStore
    {
        public override string Name => "sqlite";

        public override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
        {
            ["Engine__Store"] = "sqlite",
            ["Engine__DataDir"] = dataDir,
            // The harness may run with a PostgreSQL connection string in its environment; the server must not inherit it.
            ["ConnectionStrings__Engine"] = "",
        };

        public override ValueTask DisposeAsync()
        {
            if (Directory.Exists(dataDir)) Directory.Delete(dataDir, recursive: true);
            return ValueTask.CompletedTask;
        }
    }

    private sealed class PostgresCrashStore(string baseConnectionString, string schema) : CrashStore
    {
        public override string Name => "postgres";

        public override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
        {
            ["Engine__Store"] = "postgres",
            ["ConnectionStrings__Engine"] = new NpgsqlConnectionStringBuilder(baseConnectionString) { SearchPath = schema }.ConnectionString,
        };

        public static async Task<PostgresCrashStore> CreateAsync(string connectionString, CancellationToken cancellationToken)
        {
            var schema = "crash_" + Guid.NewGuid().ToString("N")[..12];
            await ExecuteAsync(connectionString, $"CREATE SCHEMA {schema}", cancellationToken).ConfigureAwait(false);
            return new PostgresCrashStore(connectionString, schema);
        }

        public override async ValueTask DisposeAsync()
            => await ExecuteAsync(baseConnectionString, $"DROP SCHEMA IF EXISTS {schema} CASCADE", CancellationToken.None).ConfigureAwait(false);

        private static async Task ExecuteAsync(string connectionString, string sql, CancellationToken cancellationToken)
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
