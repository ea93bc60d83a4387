using Engine.Agents;
using Engine.Routing;

namespace Engine.Grains.Routing;

/// <summary>
/// One skill group (key <c>tenant/groupId</c>): its FIFO queue (RT-1) and its view of the members' availability.
/// Offers go out as reservations at the agent grain (awaited, down).
/// </summary>
public interface ISkillGroupGrain : IGrainWithStringKey
{
    ValueTask<SkillGroupSnapshot> GetSnapshot();

    /// <summary>Creates or reconfigures the group. The mode is fixed at creation (SG-1); caps follow SG-3.</summary>
    ValueTask Configure(ServiceMode mode, int receptionCap, RoutingSettings settings);

    ValueTask AddMember(string agentId);

    ValueTask RemoveMember(string agentId);

    /// <summary>SG-5: members leave the group and stay agents. Refused while conversations wait in the queue.</summary>
    ValueTask Delete();

    /// <summary>RT-1: joins the queue. Returns the position, or the agent who took the conversation at once.</summary>
    ValueTask<EnqueueResult> Enqueue(EnqueueRequest request);

    /// <summary>
    /// A waiting conversation that came back from its stored state (a failed turn, a lost silo) makes sure it is in
    /// the queue. When it is not, any member still holding an offer of it lets it go (the offer was never stored, so
    /// it never happened), and it joins the queue as by <see cref="Enqueue"/>.
    /// </summary>
    ValueTask<EnqueueResult> EnsureQueued(EnqueueRequest request);

    /// <summary>RT-6: how many conversations wait ahead of this one; -1 when it is not in this queue.</summary>
    ValueTask<int> PositionOf(string conversationId);

    /// <summary>The customer left while queued. False when the conversation was no longer in the queue (an offer is on its way).</summary>
    ValueTask<bool> Dequeue(string conversationId);

    /// <summary>From a member agent whose availability changed.</summary>
    [OneWay]
    ValueTask AgentAvailabilityChanged(AgentAvailability report);

    /// <summary>The group's own RT-4 overflow timer came due.</summary>
    [OneWay]
    ValueTask OverflowDue();

    /// <summary>Activates the group (at start, after a silo was lost), which rebuilds its queue and wakes its members.</summary>
    [OneWay]
    ValueTask Wake();
}
