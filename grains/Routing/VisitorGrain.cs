using Engine.Grains.Hosting;
using Engine.Grains.Storage;

namespace Engine.Grains.Routing;

/// <summary>A returning customer (visitor id or phone number): remembers who served them last (RT-3).</summary>
[GrainType(nameof(VisitorGrain))]
public sealed class VisitorGrain([PersistentState("state", EngineGrainStorage.Name)] IPersistentState<VisitorState> state, TimeProvider time)
    : EngineGrain<VisitorState>(state, time), IVisitorGrain
{
    public ValueTask<string?> LastAgent() => new(State.State.LastAgentId);

    public async ValueTask ServedBy(string agentId)
    {
        if (State.State.LastAgentId == agentId) return;
        State.State.LastAgentId = agentId;
        await State.WriteStateAsync();
    }
}
