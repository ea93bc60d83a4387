using Engine.Agents;
using Engine.Conversations;
using Engine.Grains.Routing;
using Engine.Persistence.Admin;
using Engine.StateMachines;
using Engine.Web.Api;
using Engine.Web.Auth;
using Engine.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace Engine.Web.RealTime;

/// <summary>
/// <c>/hubs/agent</c>: a signed-in agent's workbench. The hub only forwards: the agent's grain pushes what the
/// workbench shows (<see cref="AgentPush"/>: <c>status</c>, <c>offerRinging</c>, <c>offerWithdrawn</c>,
/// <c>conversation</c>, <c>message</c>) through this server's <see cref="AgentRelay"/>, and the workbench acts
/// through the hub's methods, which call the agent's and conversations' grains as the REST API does.
/// </summary>
[Authorize(Policies.Member)]
public sealed class AgentHub(AgentRelay relay, IGrainFactory grains, RecordStore records) : Hub
{
    public const string Path = "/hubs/agent";

    /// <summary>At most this many messages come back from one <see cref="Messages"/> call; the workbench asks again after the last.</summary>
    public const int MessagesPerCall = 500;

    public override async Task OnConnectedAsync()
    {
        if (Context.GetHttpContext() is { } http && !HubOrigins.Allowed(http)) throw new HubException("The workbench connects from this server's own pages only.");
        var (tenant, agentId) = Caller();
        await Groups.AddToGroupAsync(Context.ConnectionId, AgentRelay.GroupOf(tenant, agentId));
        await relay.ConnectedAsync(tenant, agentId);
        // Tracked once it is connected: a refused connection gets no OnDisconnectedAsync to untrack it.
        relay.Track(tenant, agentId, Context);
        await base.OnConnectedAsync();
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        var (tenant, agentId) = Caller();
        relay.Untrack(Context);
        await relay.DisconnectedAsync(tenant, agentId);
        await base.OnDisconnectedAsync(exception);
    }

    /// <summary>The agent's presence and work now: what a workbench shows on (re)connecting, before the pushes that follow.</summary>
    public async Task<AgentSnapshot> Snapshot()
    {
        var (tenant, agentId) = Caller();
        return await grains.Agent(tenant, agentId).GetSnapshot();
    }

    /// <summary>AS-2: online, break or offline (<c>force</c> takes an agent offline who still holds conversations).</summary>
    public Task<AgentSnapshot> SetPresence(string presence, bool force) => Act(async (tenant, agentId) =>
    {
        if (!WorkApi.PresenceChoices.TryGetValue(presence, out var wanted))
            throw new HubException($"presence: one of {string.Join(", ", WorkApi.PresenceChoices.Keys)}.");
        return await grains.Agent(tenant, agentId).SetPresence(wanted, force);
    });

    /// <summary>
    /// A conversation of the agent's, for a workbench that saw its offer or reconnected: where it stands, and its
    /// customer (for the screen pops).
    /// </summary>
    public Task<ConversationSnapshot> Conversation(string conversationId)
        => Act(async (tenant, agentId) => await grains.Conversation(tenant, await Held(tenant, agentId, conversationId)).GetSnapshot() ?? throw NotHeld());

    /// <summary>
    /// The conversation's messages numbered after <paramref name="afterSeq"/>, oldest first, at most
    /// <see cref="MessagesPerCall"/>: after a reconnect, what the workbench missed; every pushed message is on record first.
    /// </summary>
    public Task<IReadOnlyList<ConversationApi.MessageView>> Messages(string conversationId, long afterSeq) => Act(async (tenant, agentId) =>
    {
        var held = await grains.Agent(tenant, agentId).Holds(conversationId);
        if (!held && (await records.ConversationAsync(tenant, conversationId, Context.ConnectionAborted))?.AgentId != agentId) throw NotHeld();
        var rows = await records.MessagesAsync(tenant, conversationId, Math.Max(0, afterSeq), MessagesPerCall, Context.ConnectionAborted);
        return (IReadOnlyList<ConversationApi.MessageView>)[.. rows.Select(ConversationApi.ViewOf)];
    });

    /// <summary>The agent writes in a conversation they hold; a resend with the same client message id gets the first one's number.</summary>
    public Task<ConversationApi.MessageAck> Send(string conversationId, string text, string? clientMessageId) => Act(async (tenant, agentId) =>
    {
        if (Checks.MessageTextProblem(text, ConversationApi.MaxTextCharacters) is { } problem) throw new HubException($"text: {problem}.");
        if (clientMessageId is { Length: > 64 }) throw new HubException("clientMessageId: at most 64 characters.");
        var conversation = grains.Conversation(tenant, await Held(tenant, agentId, conversationId));
        var (seq, isNew) = await conversation.AppendMessage(MessageSender.Agent, agentId, "text", text.Trim(), clientMessageId);
        return new ConversationApi.MessageAck(seq, !isNew);
    });

    /// <summary>AS-3: answers the offer ringing at the agent.</summary>
    public Task<ConversationSnapshot> Answer(string conversationId) => OnConversation(conversationId, static (c, agentId) => c.Answer(agentId));

    /// <summary>结束会话 / hang up.</summary>
    public Task<ConversationSnapshot> End(string conversationId) => OnConversation(conversationId, static (c, agentId) => c.End(agentId));

    /// <summary>AS-5: 完成会话; the chat leaves the workbench.</summary>
    public Task<ConversationSnapshot> Complete(string conversationId) => OnConversation(conversationId, static (c, agentId) => c.Complete(agentId));

    /// <summary>AS-6: after hanging up, wrap-up (话后整理) instead of continuing (which is <see cref="Complete"/>).</summary>
    public Task<ConversationSnapshot> EnterWrapUp(string conversationId) => OnConversation(conversationId, static (c, agentId) => c.EnterWrapUp(agentId));

    /// <summary>AS-6: wrap-up ended from the menu.</summary>
    public Task<ConversationSnapshot> FinishWrapUp(string conversationId) => OnConversation(conversationId, static (c, agentId) => c.FinishWrapUp(agentId));

    private Task<ConversationSnapshot> OnConversation(string conversationId, Func<IConversationGrain, string, ValueTask<ConversationSnapshot>> action)
        => Act(async (tenant, agentId) => await action(grains.Conversation(tenant, await Held(tenant, agentId, conversationId)), agentId));

    /// <summary>The conversation if the agent holds it (asked of the agent's own grain, so an unknown id activates no conversation).</summary>
    private async Task<string> Held(string tenant, string agentId, string conversationId)
        => await grains.Agent(tenant, agentId).Holds(conversationId) ? conversationId : throw NotHeld();

    private static HubException NotHeld() => new("conversation: not one of yours.");

    /// <summary>A refusal of the engine's rules reaches the workbench with its reason; anything else stays a server error.</summary>
    private async Task<T> Act<T>(Func<string, string, Task<T>> action)
    {
        var (tenant, agentId) = Caller();
        try
        {
            return await action(tenant, agentId);
        }
        catch (DomainException refused)
        {
            throw new HubException(refused.Message);
        }
    }

    private (string Tenant, string AgentId) Caller()
        => (Context.User!.TenantId() ?? throw new HubException("Only a tenant's agents and admins have a workbench."), Context.User!.UserId());
}
