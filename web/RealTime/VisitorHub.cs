using Engine.Grains.Routing;
using Engine.Persistence.Admin;
using Engine.StateMachines;
using Engine.Web.Admin;
using Engine.Web.Api;
using Engine.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace Engine.Web.RealTime;

/// <summary>
/// <c>/hubs/visitor?channel={channelKey}&amp;visitor={visitorId}</c>: the customer side of a website channel, for anonymous
/// visitors known by the id their browser keeps (so a returning visitor keeps their last agent, RT-3). What the visitor
/// writes goes to the conversation they are in, or opens one that runs the channel's flow, as the adapter API does; what
/// they are to see (the flow's replies, the queue position, the agent and the agent's words, the end) comes as
/// <c>reply</c> pushes, through the visitor's grain and this server's <see cref="VisitorRelay"/>.
/// </summary>
[AllowAnonymous]
public sealed class VisitorHub(ChannelStore channels, ChannelCustomers customers, VisitorRelay relay, IGrainFactory grains, RecordStore records) : Hub
{
    public const string Path = "/hubs/visitor";

    /// <summary>
    /// The answer to a visitor's message: the conversation and where it stands, and the message's number in the
    /// conversation once it went to an agent's queue (<c>seq</c>); what to show comes as pushes.
    /// </summary>
    public sealed record SendAck(string ConversationId, string Status, long? Seq);

    /// <summary>A message of the visitor's conversation with the agent, as the visitor sees it: <c>from</c> <c>visitor</c> or <c>agent</c>.</summary>
    public sealed record ChatMessage(long Seq, string From, string Kind, string Content, DateTimeOffset SentAt);

    /// <summary>Where the visitor's conversation stands (null: none open) and its messages after the number asked for.</summary>
    public sealed record ChatState(ChannelAnswer? Now, IReadOnlyList<ChatMessage> Messages);

    /// <summary>At most this many messages come back from one <see cref="Resync"/>; the chat asks again after the last.</summary>
    public const int MessagesPerCall = 500;

    private sealed record Visitor(ChannelRow Channel, string CustomerId, string VisitorId);

    public override async Task OnConnectedAsync()
    {
        var http = Context.GetHttpContext() ?? throw new HubException("A visitor connects over HTTP.");
        var key = http.Request.Query["channel"].ToString();
        var customerId = http.Request.Query["visitor"].ToString();
        if (!ValidVisitorId(customerId)) throw new HubException("visitor: 16–64 letters, digits, '-' or '_', random, kept by the browser.");
        var channel = await channels.FindByKeyAsync(key, Context.ConnectionAborted);
        if (!ChannelKinds.IsWebChat(channel)) throw new HubException("channel: no website channel has this key.");
        if (!HubOrigins.Allowed(http, Engine.Web.Api.ChannelApi.DomainOf(channel))) throw new HubException("The chat connects from the channel's website or this server's own pages only.");
        // Web chat visitors have a namespace of their own: no adapter customer of the channel is reachable from here.
        customerId = WebVisitorPrefix + customerId;
        var visitor = new Visitor(channel, customerId, ChannelVisitors.VisitorId(channel.Id, customerId));
        Context.Items[typeof(Visitor)] = visitor;
        await Groups.AddToGroupAsync(Context.ConnectionId, VisitorRelay.GroupOf(channel.TenantId, visitor.VisitorId));
        await relay.ConnectedAsync(channel.TenantId, visitor.VisitorId);
        await base.OnConnectedAsync();
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        if (Context.Items.TryGetValue(typeof(Visitor), out var item) && item is Visitor visitor)
            await relay.DisconnectedAsync(visitor.Channel.TenantId, visitor.VisitorId);
        await base.OnDisconnectedAsync(exception);
    }

    /// <summary>The visitor writes.</summary>
    public async Task<SendAck> Send(string text)
    {
        if (Checks.MessageTextProblem(text, ChannelEventsApi.MaxTextCharacters) is { } problem) throw new HubException($"text: {problem}.");
        return await ReceiveAsync(new CustomerInput(text.Trim(), null));
    }

    /// <summary>
    /// What a chat shows on (re)connecting: where the visitor's conversation stands, and its messages numbered after
    /// <paramref name="afterSeq"/> (0 on a page's first load: all of them), so that nothing is missed or shown twice.
    /// </summary>
    public async Task<ChatState> Resync(long afterSeq)
    {
        var visitor = (Visitor)Context.Items[typeof(Visitor)]!;
        var tenant = visitor.Channel.TenantId;
        if (await grains.Visitor(tenant, visitor.VisitorId).CurrentConversation() is not { } conversationId
            || await grains.FlowInstance(tenant, conversationId).GetOutcome() is not { } outcome)
            return new ChatState(null, []);
        var rows = await records.MessagesAsync(tenant, conversationId, Math.Max(0, afterSeq), MessagesPerCall, Context.ConnectionAborted);
        return new ChatState(ChannelAnswer.Of(outcome),
            [.. rows.Where(m => m.SenderKind is "visitor" or "agent").Select(m => new ChatMessage(m.Seq, m.SenderKind, m.Kind, m.Content, UnixTime.At(m.SentAt)))]);
    }

    /// <summary>The visitor closes the chat: out of the queue, or the agent moves on.</summary>
    public Task<SendAck> Leave() => ReceiveAsync(new CustomerInput(null, null, Left: true));

    private async Task<SendAck> ReceiveAsync(CustomerInput input)
    {
        var visitor = (Visitor)Context.Items[typeof(Visitor)]!;
        try
        {
            var outcome = await customers.ReceiveAsync(visitor.Channel, visitor.CustomerId, input, Context.ConnectionAborted);
            return new SendAck(outcome.ConversationId, Engine.Flows.FlowNames.Status(outcome.Phase), outcome.Seq);
        }
        catch (DomainException refused)
        {
            throw new HubException(refused.Message);
        }
    }

    /// <summary>How a web chat visitor's customer id starts, so that no chat visitor reaches a customer whose id a gateway chose through the adapter API.</summary>
    public const string WebVisitorPrefix = "web:";

    /// <summary>Long enough to be unguessable when made at random, as the chat page makes it.</summary>
    public static bool ValidVisitorId(string id) => id.Length is >= 16 and <= 64 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}
