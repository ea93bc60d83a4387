using Engine.Agents;
using Engine.Conversations;
using Engine.Grains.Routing;

namespace Engine.Web.RealTime;

/// <summary>
/// The server's <see cref="IEngineEvents"/>: an offer ringing or withdrawn goes, one-way, to the agent's grain, which
/// passes it on to the servers holding the agent's workbench connections. (Status changes the agent's grain pushes itself.)
/// </summary>
public sealed class HubEvents(IGrainFactory grains) : IEngineEvents
{
    public void OfferRinging(string tenant, string agentId, string conversationId, string groupId, DateTimeOffset? deadline)
        => _ = grains.Agent(tenant, agentId).Notify(new AgentPush(tenant, agentId, AgentPush.OfferRingingKind, conversationId, groupId, deadline));

    public void OfferWithdrawn(string tenant, string agentId, string conversationId)
        => _ = grains.Agent(tenant, agentId).Notify(new AgentPush(tenant, agentId, AgentPush.OfferWithdrawnKind, conversationId));

    /// <summary>The agent's grain pushes its status changes to the workbench itself, from the turn that made them.</summary>
    public void AgentStatusChanged(string tenant, string agentId, AgentStatus from, AgentStatus to, string reason, DateTimeOffset at)
    {
    }

    /// <summary>A customer hears their queue position through their flow run (RT-6), which the group tells directly.</summary>
    public void QueuePositionChanged(string tenant, string conversationId, string groupId, int position)
    {
    }

    /// <summary>The agent holding the conversation sees it move (answered, ended by the customer or a timeout, completed).</summary>
    public void ConversationChanged(string tenant, ConversationSnapshot conversation)
    {
        if (conversation is not { AgentId: { } agentId } || conversation.Status is ConversationStatus.Queued or ConversationStatus.Offered) return;
        _ = grains.Agent(tenant, agentId).Notify(new AgentPush(tenant, agentId, AgentPush.ConversationKind, conversation.Id, conversation.GroupId,
            Status: conversation.Status.ToString(), Reason: conversation.EndReason == EndReason.None ? null : conversation.EndReason.ToString()));
    }
}
