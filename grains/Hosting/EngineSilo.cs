using Engine.Grains.Routing;
using Engine.Grains.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Storage;

namespace Engine.Grains.Hosting;

public static class EngineSilo
{
    /// <summary>
    /// The engine's grains on a silo: their storage (<see cref="EngineGrainStorage"/> over the registered
    /// <see cref="IStateStore"/>, in memory when none is), the grains filter their own calls (reload after a failed turn,
    /// keep-alive) and the waking of live grains at start. Tests that wait for quiescence also add
    /// <see cref="EngineOutgoingFilter"/> (not here: an outgoing filter costs every call an extra step). Register your own
    /// <see cref="TimeProvider"/>, store, <see cref="IEngineEvents"/> or <see cref="IEngineHistory"/> first to replace the defaults.
    /// </summary>
    public static ISiloBuilder AddEngineGrains(this ISiloBuilder silo)
    {
        var services = silo.Services;
        services.TryAddSingleton(TimeProvider.System);
        if (!services.Any(d => d.ServiceType == typeof(IStateStore)))
        {
            services.AddSingleton<MemoryStateStore>();
            services.AddSingleton<IStateStore>(sp => sp.GetRequiredService<MemoryStateStore>());
            services.AddSingleton<ILiveConversations>(sp => sp.GetRequiredService<MemoryStateStore>());
        }
        services.TryAddSingleton<IEngineEvents>(NullEngineEvents.Instance);
        services.TryAddSingleton<IEngineHistory>(NullEngineHistory.Instance);
        services.TryAddSingleton<IFlowReplies>(NullFlowReplies.Instance);
        services.TryAddSingleton<IReceptionDesks>(NoReceptionDesks.Instance);
        services.TryAddSingleton<IFaqSource>(NoFaqSource.Instance);
        services.TryAddSingleton<EngineCounters>();
        services.TryAddSingleton(new Quiescence());
        services.AddKeyedSingleton<IGrainStorage>(EngineGrainStorage.Name, static (sp, _) => new EngineGrainStorage(sp.GetRequiredService<IStateStore>()));
        services.TryAddSingleton<PersistentStateFactory>();
        services.AddSingleton<IPersistentStateFactory, EnginePersistentStateFactory>();
        silo.AddStartupTask<LiveGrainWaker>();
        return silo;
    }
}
