using Engine.Grains.Routing;
using Microsoft.AspNetCore.SignalR;

namespace Engine.Web.RealTime;

/// <summary>The agents' workbench connections on this server: a push of an agent's grain goes to the agent's SignalR group here.</summary>
public sealed class AgentRelay(IGrainFactory grains, IHubContext<AgentHub> hub, TimeProvider time, ILogger<AgentRelay> logger, IServiceProvider services)
    : ObserverRelay<IAgentObserver>(grains, time, logger, services.GetService<IClusterMembershipService>()), IAgentObserver
{
    /// <summary>The SignalR group of an agent's connections on this server.</summary>
    public static string GroupOf(string tenant, string agentId) => $"agent:{tenant}:{agentId}";

    /// <summary>The agents' connections here, so that those of a deleted agent, or one whose password was reset, can be closed (AG-3).</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (string Tenant, string AgentId, HubCallerContext Context)> _connections = new(StringComparer.Ordinal);

    public void Track(string tenant, string agentId, HubCallerContext context) => _connections[context.ConnectionId] = (tenant, agentId, context);

    public void Untrack(HubCallerContext context) => _connections.TryRemove(context.ConnectionId, out _);

    public Task Pushed(AgentPush push)
    {
        var sending = hub.Clients.Group(GroupOf(push.Tenant, push.AgentId)).SendAsync(push.Kind, push);
        if (push.Kind == AgentPush.SignedOutKind) sending = sending.ContinueWith(_ => Close(push.Tenant, push.AgentId), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        Send(sending, push.Tenant, push.AgentId);
        return Task.CompletedTask;
    }

    /// <summary>Closes the agent's connections here, after they were told why (the workbench then shows its sign-in).</summary>
    private void Close(string tenant, string agentId)
    {
        foreach (var (_, connection) in _connections)
        {
            if (connection.Tenant == tenant && connection.AgentId == agentId) connection.Context.Abort();
        }
    }

    protected override ValueTask SubscribeAsync(string tenant, string key, IAgentObserver observer) => Grains.Agent(tenant, key).Subscribe(observer);

    protected override ValueTask UnsubscribeAsync(string tenant, string key, IAgentObserver observer) => Grains.Agent(tenant, key).Unsubscribe(observer);
}
