using Engine.Grains.Runtime;

namespace Engine.Grains.Routing;

/// <summary>A returning customer (visitor id or phone number): remembers who served them last (RT-3).</summary>
public sealed class VisitorGrain : RoutingGrain<VisitorState>
{
    public ValueTask<string?> LastAgent() => new(State.State.LastAgentId);

    public async ValueTask ServedBy(string agentId)
    {
        if (State.State.LastAgentId == agentId) return;
        State.State.LastAgentId = agentId;
        await State.WriteStateAsync();
    }
}
