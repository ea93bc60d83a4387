using Engine.Grains.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Engine.Persistence;

public static partial class EnginePersistence
{
    /// <summary>
    /// The store chosen by configuration: <c>Engine:Store</c> = <c>sqlite</c> (default; the file
    /// <c>engine.db</c> under <c>Engine:DataDir</c>, default <c>data/</c>) or <c>postgres</c>
    /// (<c>ConnectionStrings:Engine</c>). Migrations run at start, before the grain runtime starts:
    /// call this before the silo (<c>AddEngineGrains</c>).
    /// </summary>
    public static IServiceCollection AddEngineStore(this IServiceCollection services, IConfiguration configuration)
    {
        var database = FromConfiguration(configuration);
        services.AddSingleton(database);
        services.AddSingleton<GroupCommit>();
        services.AddSingleton<SqlGrainStorage>();
        services.AddSingleton<IStateStore>(sp => sp.GetRequiredService<SqlGrainStorage>());
        services.AddSingleton<ILiveConversations>(sp => sp.GetRequiredService<SqlGrainStorage>());
        services.AddSingleton<HistoryStore>();
        services.AddSingleton<Engine.Grains.Routing.IEngineHistory>(sp => sp.GetRequiredService<HistoryStore>());
        services.AddSingleton<Engine.Grains.Routing.IFlowVersions, Admin.StoredFlowVersions>();
        services.AddSingleton<Engine.Grains.Routing.IAgentDirectory, Admin.StoredAgentDirectory>();
        services.AddSingleton<Engine.Grains.Routing.IReceptionDesks, Admin.StoredReceptionDesks>();
        services.AddSingleton<Engine.Grains.Routing.IFaqSource, Admin.PhraseStore>();
        services.AddSingleton<Admin.WebhookOutboxStore>();
        services.AddHostedService<MigrationService>();
        return services;
    }

    public static Database FromConfiguration(IConfiguration configuration)
    {
        var store = configuration["Engine:Store"] ?? "sqlite";
        var connectionString = configuration.GetConnectionString("Engine");
        return store.ToLowerInvariant() switch
        {
            "sqlite" when !string.IsNullOrWhiteSpace(connectionString) => new Database(Dialect.Sqlite, connectionString),
            "sqlite" => Database.SqliteFile(configuration["Engine:DataDir"] ?? "data"),
            "postgres" or "postgresql" when !string.IsNullOrWhiteSpace(connectionString) => new Database(Dialect.Postgres, connectionString),
            "postgres" or "postgresql" => throw new InvalidOperationException("Engine:Store is postgres but ConnectionStrings:Engine (ConnectionStrings__Engine) is not set."),
            _ => throw new InvalidOperationException($"Engine:Store must be 'sqlite' or 'postgres', not '{store}'."),
        };
    }

    private sealed partial class MigrationService(Database database, ILogger<MigrationService> logger) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            var applied = await Migrator.MigrateAsync(database, cancellationToken).ConfigureAwait(false);
            LogMigrated(logger, database.Dialect.Kind, applied.Count);
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        [LoggerMessage(EventId = 301, Level = LogLevel.Information, Message = "{Store} store ready; {Count} migration(s) applied")]
        private static partial void LogMigrated(ILogger logger, StoreKind store, int count);
    }
}
