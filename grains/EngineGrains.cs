using Engine.Grains.Routing;
using Engine.Grains.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Engine.Grains;

public static class EngineGrains
{
    /// <summary>
    /// Registers every grain type of the engine with a runtime. Groups and live conversations wake on start:
    /// their deadlines (RT-4 overflow, AS-4 offer timeout, FL-5 reply timeout) are timers armed from their
    /// state, and the groups wake their online members.
    /// </summary>
    public static GrainRuntime RegisterEngineGrains(this GrainRuntime runtime) => runtime
        .Register<TenantGrain>()
        .Register<SkillGroupGrain>(wakeOnStart: true)
        .Register<AgentGrain>()
        .Register<ConversationGrain>(wakeOnStart: true)
        .Register<VisitorGrain>();

    /// <summary>
    /// The runtime and its defaults: system clock, in-memory state and reminders, no event sink. Register
    /// your own <see cref="TimeProvider"/>, <see cref="IGrainStorage"/>, <see cref="IReminderStore"/> or
    /// <see cref="IEngineEvents"/> before calling this to replace them.
    /// </summary>
    public static IServiceCollection AddEngineGrains(this IServiceCollection services, Action<RuntimeOptions>? configure = null)
    {
        var options = new RuntimeOptions();
        configure?.Invoke(options);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IGrainStorage, MemoryGrainStorage>();
        services.TryAddSingleton<IReminderStore, MemoryReminderStore>();
        services.TryAddSingleton<IEngineEvents>(NullEngineEvents.Instance);
        services.TryAddSingleton<IEngineHistory>(NullEngineHistory.Instance);
        services.TryAddSingleton<EngineCounters>();
        services.AddSingleton(sp => new GrainRuntime(
                options,
                sp,
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<IGrainStorage>(),
                sp.GetRequiredService<IReminderStore>(),
                EngineJsonContext.Default,
                sp.GetService<ILogger<GrainRuntime>>())
            .RegisterEngineGrains());
        services.AddHostedService<GrainRuntimeService>();
        return services;
    }

    private sealed class GrainRuntimeService(GrainRuntime runtime) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => runtime.StartAsync(cancellationToken).AsTask();

        public Task StopAsync(CancellationToken cancellationToken) => runtime.DisposeAsync().AsTask();
    }
}
