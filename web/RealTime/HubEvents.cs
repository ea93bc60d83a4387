using Engine.Agents;
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

    /// <summary>A workbench reads a conversation's state through the REST API; its offers come as pushes above.</summary>
    public void ConversationChanged(string tenant, ConversationSnapshot conversation)
    {
    }
}
