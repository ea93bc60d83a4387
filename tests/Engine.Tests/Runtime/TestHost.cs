using Engine.Grains.Runtime;
using Engine.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Engine.Tests.Runtime;

/// <summary>A started <see cref="GrainRuntime"/> on a manual clock, with a <see cref="Probe"/> injected into test grains.</summary>
public sealed class TestHost : IAsyncDisposable
{
    public const string Tenant = "t1";

    /// <summary>Only a guard against a hung test; passing tests never wait for it.</summary>
    public static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    private readonly ServiceProvider _services;

    private TestHost(RuntimeOptions options, ManualTimeProvider clock, IGrainStorage storage, IReminderStore reminders)
    {
        Options = options;
        Clock = clock;
        Storage = storage;
        ReminderStore = reminders;
        _services = new ServiceCollection().AddSingleton(Probe).BuildServiceProvider();
        Runtime = new GrainRuntime(options, _services, clock, storage, reminders);
    }

    public RuntimeOptions Options { get; }

    public ManualTimeProvider Clock { get; }

    public IGrainStorage Storage { get; }

    public IReminderStore ReminderStore { get; }

    public Probe Probe { get; } = new();

    public GrainRuntime Runtime { get; }

    public static async Task<TestHost> StartAsync(
        Action<GrainRuntime> register,
        Action<RuntimeOptions>? configure = null,
        ManualTimeProvider? clock = null,
        IGrainStorage? storage = null,
        IReminderStore? reminders = null)
    {
        var options = new RuntimeOptions
        {
            TrackQuiescence = true,
            CallTimeout = TimeSpan.FromSeconds(30),
            IdleTimeout = TimeSpan.FromMinutes(1),
            SweepPeriod = TimeSpan.FromSeconds(1),
        };
        configure?.Invoke(options);
        var host = new TestHost(options, clock ?? new ManualTimeProvider(), storage ?? new MemoryGrainStorage(), reminders ?? new MemoryReminderStore());
        register(host.Runtime);
        await host.Runtime.StartAsync();
        return host;
    }

    public GrainRef<TGrain> Get<TGrain>(string key) where TGrain : Grain => Runtime.Get<TGrain>(Tenant, key);

    public static GrainId IdOf<TGrain>(string key) where TGrain : Grain => new(typeof(TGrain).Name, Tenant, key);

    public Task IdleAsync() => Runtime.WhenIdle().WaitAsync(HangGuard);

    /// <summary>
    /// Lets running turns finish, moves the clock (timers, sweeps and reminders fire on this thread), then waits
    /// until every queued turn has run. The first wait matters: a caller gets its result from inside the callee's
    /// turn, so right after <c>await Call(...)</c> the callee may still count as busy for a sweep.
    /// </summary>
    public async Task AdvanceAsync(TimeSpan by)
    {
        await IdleAsync();
        Clock.Advance(by);
        await IdleAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await Runtime.DisposeAsync();
        await _services.DisposeAsync();
    }
}
