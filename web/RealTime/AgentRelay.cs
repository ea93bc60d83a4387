using Engine.Grains.Routing;
using Microsoft.AspNetCore.SignalR;

namespace Engine.Web.RealTime;

/// <summary>The agents' workbench connections on this server: a push of an agent's grain goes to the agent's SignalR group here.</summary>
public sealed class AgentRelay(IGrainFactory grains, IHubContext<AgentHub> hub, TimeProvider time, ILogger<AgentRelay> logger)
    : ObserverRelay<IAgentObserver>(grains, time, logger), IAgentObserver
{
    /// <summary>The SignalR group of an agent's connections on this server.</summary>
    public static string GroupOf(string tenant, string agentId) => $"agent:{tenant}:{agentId}";

    public Task Pushed(AgentPush push)
    {
        Send(hub.Clients.Group(GroupOf(push.Tenant, push.AgentId)).SendAsync(push.Kind, push), push.Tenant, push.AgentId);
        return Task.CompletedTask;
    }

    protected override ValueTask SubscribeAsync(string tenant, string key, IAgentObserver observer) => Grains.Agent(tenant, key).Subscribe(observer);

    protected override ValueTask UnsubscribeAsync(string tenant, string key, IAgentObserver observer) => Grains.Agent(tenant, key).Unsubscribe(observer);
}
