using Microsoft.Extensions.Time.Testing;

namespace Engine.Web.Tests.Support;

/// <summary>
/// Another server on the database of a first one (as a second silo would be), with a clock of its own that the
/// test moves. Each server runs its own embedded silo; the tests that use it look at what servers share through
/// the store (tokens, the key ring), not at grains.
/// </summary>
public sealed class SameStoreServer(string connectionString, IReadOnlyDictionary<string, string>? settings = null) : EngineFactory
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);

    public override string Store => "postgres";

    public override TimeProvider? Clock => _clock;

    public FakeTimeProvider Manual => _clock;

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>(settings ?? new Dictionary<string, string>())
    {
        ["ConnectionStrings:Engine"] = connectionString,
    };

    /// <summary>A second server on <paramref name="first"/>'s database (which it starts, if it has not yet).</summary>
    public static SameStoreServer Beside(EngineFactory first, IReadOnlyDictionary<string, string>? settings = null)
    {
        first.CreateClient().Dispose();
        return new SameStoreServer(Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions
            .GetRequiredService<Engine.Persistence.Database>(first.Services).ConnectionString, settings);
    }
}

/// <summary>A server on PostgreSQL and a second one on its database, for one test class.</summary>
public sealed class TwoServersOnOneStore : IAsyncLifetime
{
    public PostgresEngineFactory First { get; } = new();

    public SameStoreServer Second { get; private set; } = null!;

    public Task InitializeAsync()
    {
        Second = SameStoreServer.Beside(First);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await Second.DisposeAsync();
        await First.DisposeAsync();
    }
}
