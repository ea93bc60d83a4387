using Engine.Persistence;
using Engine.Persistence.Dashboard;
using Engine.Tests.Persistence;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;
using Orleans.TestingHost;

namespace Engine.Web.Tests.Support;

/// <summary>
/// The real server in process (Kestrel's pipeline through WebApplicationFactory) on a store of its own:
/// SQLite in a temporary folder, or a fresh schema on the PostgreSQL cluster of <c>./test.sh</c>
/// (<c>ConnectionStrings__Postgres</c>; without it the tests fail rather than skip). The platform
/// operator comes from configuration; no demo tenant unless a subclass asks for it.
/// </summary>
public class EngineFactory : WebApplicationFactory<Program>
{
    public const string OperatorEmail = "operator@engine.test";
    public const string OperatorPassword = "Operator#2026";

    /// <summary>The key-encryption key of every test server on PostgreSQL (32 bytes, base64).</summary>
    public const string TestKeyEncryptionKey = "dGVzdC1rZXktZW5jcnlwdGlvbi1rZXktMzItYnl0ZXM=";

    private readonly DirectoryInfo _dataDir = Directory.CreateTempSubdirectory("engine-web-");
    private string? _schema;

    /// <summary><c>sqlite</c> or <c>postgres</c>.</summary>
    public virtual string Store => "sqlite";

    /// <summary>Settings beside the defaults, e.g. a lower sign-in rate limit.</summary>
    protected virtual IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>();

    /// <summary>A clock for the whole server (grains included), or null for the real one.</summary>
    public virtual TimeProvider? Clock => null;

    /// <summary>A tenant's hand-made history, written into this server's store (the dashboard's and the records' tests).</summary>
    public HandMadeHistory HistoryOf(string tenantId) => new(Services.GetRequiredService<Database>(), tenantId);

    /// <summary>Rolls up for the dashboard everything written so far, as the server's roll-up does.</summary>
    public Task RollUpAsync() => Services.GetRequiredService<DashboardRollups>().RollUpAllAsync();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Engine:DataDir", _dataDir.FullName);
        builder.UseSetting("Engine:Operator:Email", OperatorEmail);
        builder.UseSetting("Engine:Operator:Password", OperatorPassword);
        builder.UseSetting("Engine:Demo:Seed", "false");
        // Each server in the test process has a silo of its own, on a port of its own.
        builder.UseSetting("Engine:Orleans:SiloPort", Engine.Driver.EngineServer.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture));
        // Tests sign in often from one address; the rate limit has a test of its own.
        builder.UseSetting("Engine:SignIn:PermitsPerMinute", "100000");
        if (Store == "postgres")
        {
            var server = Environment.GetEnvironmentVariable("ConnectionStrings__Postgres")
                ?? throw new InvalidOperationException("ConnectionStrings__Postgres is not set: run the tests with ./test.sh, which starts a throwaway PostgreSQL.");
            _schema = "web_" + Guid.NewGuid().ToString("N")[..16];
            Execute(server, $"CREATE SCHEMA {_schema}");
            builder.UseSetting("Engine:Store", "postgres");
            // Servers on PostgreSQL share their key ring there, encrypted with a key from configuration.
            builder.UseSetting("Engine:DataProtection:KeyEncryptionKey", TestKeyEncryptionKey);
            builder.UseSetting("ConnectionStrings:Engine", new NpgsqlConnectionStringBuilder(server) { SearchPath = _schema }.ConnectionString);
        }
        foreach (var (key, value) in Settings) builder.UseSetting(key, value);
        if (Clock is { } clock)
        {
            // The grains follow the test clock; Orleans's own background work (membership, messaging) keeps real time.
            builder.ConfigureServices(services => services.Replace(ServiceDescriptor.Singleton(clock)).UseTimeProviderForBackgroundAreas(TimeProvider.System));
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _dataDir.Delete(recursive: true);
        if (_schema is not null)
        {
            NpgsqlConnection.ClearAllPools();
            Execute(Environment.GetEnvironmentVariable("ConnectionStrings__Postgres")!, $"DROP SCHEMA IF EXISTS {_schema} CASCADE");
        }
        GC.SuppressFinalize(this);
    }

    private static void Execute(string connectionString, string sql)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }
}

/// <summary>The same server on PostgreSQL.</summary>
public sealed class PostgresEngineFactory : EngineFactory
{
    public override string Store => "postgres";
}
