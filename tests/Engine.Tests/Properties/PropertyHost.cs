using Engine.Grains;
using Engine.Grains.Routing;
using Engine.Grains.Runtime;
using Engine.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Engine.Tests.Properties;

/// <summary>
/// The routing grains on a manual clock, like <c>RoutingHost</c>, plus a kept runtime log (failed one-way turns)
/// and a short idle timeout so that long clock advances deactivate and re-activate grains.
/// </summary>
public sealed class PropertyHost : IAsyncDisposable
{
    public const string Tenant = "t1";

    /// <summary>
    /// Advances go in steps no longer than this, each followed by quiescence: shorter than the runtime's call
    /// timeout, so that a turn started by a timer never sees the clock jump past its own call's deadline.
    /// </summary>
    public static readonly TimeSpan MaxStep = TimeSpan.FromSeconds(5);

    private readonly ServiceProvider _services;

    private PropertyHost()
    {
        _services = new ServiceCollection()
            .AddSingleton<TimeProvider>(Clock)
            .AddSingleton<ILogger<GrainRuntime>>(Failures)
            .AddEngineGrains(o =>
            {
                o.TrackQuiescence = true;
                o.IdleTimeout = TimeSpan.FromMinutes(2);
            })
            .BuildServiceProvider();
        Runtime = _services.GetRequiredService<GrainRuntime>();
    }

    public ManualTimeProvider Clock { get; } = new();
    public RuntimeFailures Failures { get; } = new();
    public GrainRuntime Runtime { get; }

    public static async Task<PropertyHost> StartAsync()
    {
        var host = new PropertyHost();
        await host.Runtime.StartAsync();
        return host;
    }

    public GrainRef<TenantGrain> TenantGrain => Runtime.Get<TenantGrain>(Tenant, Engine.Grains.Routing.TenantGrain.SingletonKey);
    public GrainRef<AgentGrain> Agent(string id) => Runtime.Get<AgentGrain>(Tenant, id);
    public GrainRef<SkillGroupGrain> Group(string id) => Runtime.Get<SkillGroupGrain>(Tenant, id);
    public GrainRef<ConversationGrain> Conversation(string id) => Runtime.Get<ConversationGrain>(Tenant, id);

    /// <summary>The hang guard only: a quiescent runtime answers at once.</summary>
    public Task IdleAsync() => Runtime.WhenIdle().WaitAsync(TimeSpan.FromSeconds(30));

    public async ValueTask DisposeAsync()
    {
        await Runtime.DisposeAsync();
        await _services.DisposeAsync();
    }
}
