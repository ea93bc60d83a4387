using Engine.Grains.Routing;
using Engine.Persistence.Admin;
using Microsoft.AspNetCore.SignalR;

namespace Engine.Web.RealTime;

/// <summary>The web chat visitors' connections on this server: a push of a visitor's grain goes to the visitor's SignalR group here.</summary>
public sealed class VisitorRelay(IGrainFactory grains, IHubContext<VisitorHub> hub, TimeProvider time, ILogger<VisitorRelay> logger, IServiceProvider services)
    : ObserverRelay<IVisitorObserver>(grains, time, logger, services.GetService<IClusterMembershipService>()), IVisitorObserver
{
    /// <summary>The SignalR group of a visitor's connections on this server (the visitor id names the channel too).</summary>
    public static string GroupOf(string tenant, string visitorId) => $"visitor:{tenant}:{visitorId}";

    public Task Pushed(VisitorPush push)
    {
        Send(hub.Clients.Group(GroupOf(push.Tenant, push.VisitorId)).SendAsync("reply", ChannelAnswer.Of(push.Outcome)), push.Tenant, push.VisitorId);
        return Task.CompletedTask;
    }

    protected override ValueTask SubscribeAsync(string tenant, string key, IVisitorObserver observer) => Grains.Visitor(tenant, key).Subscribe(observer);

    protected override ValueTask UnsubscribeAsync(string tenant, string key, IVisitorObserver observer) => Grains.Visitor(tenant, key).Unsubscribe(observer);
}
