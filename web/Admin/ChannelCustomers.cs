using Engine.Flows;
using Engine.Grains.Routing;
using Engine.Persistence.Admin;

namespace Engine.Web.Admin;

/// <summary>
/// A channel's customers (the inbound adapter API): a customer is the channel and the gateway's customer id, and their
/// events go to the conversation they are in, or open one that runs the channel's flow (CH-3). Kept outside the grains
/// because it calls down from the visitor to the flow run, which may call the visitor's grain back (RT-3).
/// </summary>
public sealed class ChannelCustomers(IGrainFactory grains, FlowStore flows)
{
    public async Task<FlowOutcome> ReceiveAsync(ChannelRow channel, string customerId, CustomerInput input, CancellationToken cancellationToken, string? region = null)
    {
        var tenant = channel.TenantId;
        var visitorId = ChannelVisitors.VisitorId(channel.Id, customerId);
        var visitor = grains.Visitor(tenant, visitorId);
        // The conversation the customer is in takes the event, whatever became of the channel's flow since.
        var current = await visitor.CurrentConversation();
        if (current is not null && await InConversationAsync(grains.FlowInstance(tenant, current), input) is { } going) return going;
        if (input.Left) return new FlowOutcome(current ?? "", FlowPhase.Ended, [], null, null, null, Handled: false);

        // A marketing account's chat runs the flow made from the account (MK-4, MK-5).
        if (channel.Kind == ChannelKinds.Marketing)
        {
            var accountRun = await visitor.OpenConversation(current);
            return await grains.FlowInstance(tenant, accountRun).Receive(new FlowStart(Engine.Marketing.AccountFlow.FlowIdOf(channel.Id), 1, Engine.Routing.ServiceMode.Online, visitorId, channel.Id, region), input);
        }

        // A new conversation (CH-3): the channel serves customers through its flow (a phone number's is its IVR),
        // bound and so InUse, whose version is the one published.
        if (channel.FlowId is null || await flows.GetAsync(tenant, channel.FlowId, cancellationToken) is not { Lifecycle: FlowStatus.InUse } flow)
            throw new ChannelWithoutFlowException(channel.Id);
        var opened = await visitor.OpenConversation(current);
        var start = new FlowStart(flow.Id, flow.Version, SkillGroupService.ParseMode(channel.Mode), visitorId, channel.Id, region);
        return await grains.FlowInstance(tenant, opened).Receive(start, input);
    }

    /// <summary>The conversation the customer is in once their flow handed it to a group (queued, offered or with an agent); null before or after.</summary>
    public async Task<(string ConversationId, IConversationGrain Conversation)?> WithGroupAsync(ChannelRow channel, string customerId)
    {
        var tenant = channel.TenantId;
        if (await grains.Visitor(tenant, ChannelVisitors.VisitorId(channel.Id, customerId)).CurrentConversation() is not { } current) return null;
        var conversation = grains.Conversation(tenant, current);
        return await conversation.GetSnapshot() is { Status: Engine.Conversations.ConversationStatus.Queued or Engine.Conversations.ConversationStatus.Offered or Engine.Conversations.ConversationStatus.Active }
            ? (current, conversation)
            : null;
    }

    /// <summary>The event for the conversation the customer is in; null when that one is over (the event opens another).</summary>
    private static async Task<FlowOutcome?> InConversationAsync(IFlowInstanceGrain run, CustomerInput input)
    {
        try
        {
            var outcome = await run.CustomerInConversation(input);
            return outcome is { Phase: FlowPhase.Ended, Handled: false } ? null : outcome;
        }
        catch (FlowNotRunningException)
        {
            return null;
        }
    }
}

/// <summary>The kinds of channel a browser's web chat opens.</summary>
public static class ChannelKinds
{
    public const string Website = "website";

    /// <summary>A marketing account's own chat (its test link, MK-6).</summary>
    public const string Marketing = "marketing";

    public static bool IsWebChat([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] ChannelRow? channel) => channel?.Kind is Website or Marketing;
}

/// <summary>CH-3: the channel has no flow to serve customers with (a 409).</summary>
public sealed class ChannelWithoutFlowException(string channelId)
    : Engine.StateMachines.DomainException($"Channel {channelId} has no flow bound; a channel serves customers through its flow (CH-3). Bind a published flow first.");
