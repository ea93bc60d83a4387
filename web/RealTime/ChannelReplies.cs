using Engine.Grains.Routing;
using Engine.Persistence.Admin;

namespace Engine.Web.RealTime;

/// <summary>
/// Where a flow run sends what a customer is to see: the channel's webhook (queued in the store), and the customer's
/// open web chats (one-way to the visitor's grain, which passes it on to the servers holding their connections).
/// </summary>
public sealed class ChannelReplies(WebhookOutboxStore webhooks, IGrainFactory grains) : IFlowReplies
{
    public async ValueTask PushAsync(string tenant, string channelId, string visitorId, FlowOutcome outcome, CancellationToken cancellationToken)
    {
        await webhooks.PushAsync(tenant, channelId, visitorId, outcome, cancellationToken);
        _ = grains.Visitor(tenant, visitorId).Notify(new VisitorPush(tenant, visitorId, outcome));
    }
}
