using System.Collections.Concurrent;
using Engine.Grains.Routing;
using Microsoft.AspNetCore.SignalR;

namespace Engine.Web.RealTime;

/// <summary>
/// This silo's ear for the agents whose workbenches are connected here: one grain observer for the silo, subscribed at
/// the grain of every agent with a connection on this server (and renewed before it lapses), so that what an agent's
/// grain pushes reaches the connections wherever the grain lives. A push goes to the agent's SignalR group here.
/// </summary>
public sealed partial class AgentRelay : IAgentObserver, IDisposable
{
    /// <summary>How often the subscriptions are made again (well within <see cref="AgentGrain.ObserverLifetime"/>).</summary>
    public static readonly TimeSpan RenewEvery = TimeSpan.FromMinutes(1);

    private readonly IGrainFactory _grains;
    private readonly IHubContext<AgentHub> _hub;
    private readonly ILogger<AgentRelay> _logger;
    private readonly ConcurrentDictionary<(string Tenant, string AgentId), int> _connections = new();
    private readonly Lock _gate = new();
    private readonly ITimer _renew;
    private IAgentObserver? _self;

    public AgentRelay(IGrainFactory grains, IHubContext<AgentHub> hub, TimeProvider time, ILogger<AgentRelay> logger)
    {
        (_grains, _hub, _logger) = (grains, hub, logger);
        _renew = time.CreateTimer(_ => _ = RenewAsync(), null, RenewEvery, RenewEvery);
    }

    /// <summary>The SignalR group of an agent's connections on this server.</summary>
    public static string GroupOf(string tenant, string agentId) => $"agent:{tenant}:{agentId}";

    private IAgentObserver Self
    {
        get
        {
            lock (_gate) return _self ??= _grains.CreateObjectReference<IAgentObserver>(this);
        }
    }

    /// <summary>An agent's connection arrived here: the first one subscribes this server at the agent's grain.</summary>
    public async Task ConnectedAsync(string tenant, string agentId)
    {
        if (_connections.AddOrUpdate((tenant, agentId), 1, (_, n) => n + 1) == 1)
            await _grains.Agent(tenant, agentId).Subscribe(Self);
    }

    /// <summary>An agent's connection left: with the last one, this server stops listening for the agent.</summary>
    public async Task DisconnectedAsync(string tenant, string agentId)
    {
        var key = (tenant, agentId);
        var left = _connections.AddOrUpdate(key, 0, (_, n) => n - 1);
        if (left > 0 || !_connections.TryRemove(KeyValuePair.Create(key, 0))) return;
        await _grains.Agent(tenant, agentId).Unsubscribe(Self);
    }

    public Task Pushed(AgentPush push) => _hub.Clients.Group(GroupOf(push.Tenant, push.AgentId)).SendAsync(push.Kind, push);

    private async Task RenewAsync()
    {
        foreach (var (tenant, agentId) in _connections.Keys)
        {
            try
            {
                await _grains.Agent(tenant, agentId).Subscribe(Self);
            }
            catch (Exception e) when (e is OrleansException or TimeoutException)
            {
                // The grain's silo is going or gone: the next renewal subscribes at its new activation.
                LogRenewFailed(_logger, tenant, agentId, e);
            }
        }
    }

    public void Dispose()
    {
        _renew.Dispose();
        if (_self is not null) _grains.DeleteObjectReference<IAgentObserver>(_self);
    }

    [LoggerMessage(EventId = 700, Level = LogLevel.Warning, Message = "Could not renew the workbench subscription of agent {AgentId} of tenant {Tenant}")]
    private static partial void LogRenewFailed(ILogger logger, string tenant, string agentId, Exception error);
}
