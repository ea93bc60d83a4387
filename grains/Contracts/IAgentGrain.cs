using Engine.Agents;
using Engine.Routing;

namespace Engine.Grains.Routing;

/// <summary>
/// One agent (key <c>tenant/agentId</c>). The only place that decides whether the agent takes a conversation
/// (the reservation), so an agent in many groups is never over-assigned. It awaits nobody: it tells its groups
/// and conversations one-way.
/// </summary>
public interface IAgentGrain : IGrainWithStringKey
{
    ValueTask<AgentSnapshot> GetSnapshot();

    /// <summary>
    /// A silo with workbench connections of this agent hears what they show (<see cref="IAgentObserver"/>). A
    /// subscription lapses after <c>Listeners.Lifetime</c> unless made again, so a silo that died drops out.
    /// </summary>
    ValueTask Subscribe(IAgentObserver observer);

    ValueTask Unsubscribe(IAgentObserver observer);

    /// <summary>Something for the agent's workbench (an offer, a conversation's move, a message), passed on to the subscribed silos.</summary>
    [OneWay]
    ValueTask Notify(AgentPush push);

    /// <summary>
    /// The presence grace's own timer: once the agent's last workbench has been gone for <see cref="PresenceSettings.Grace"/>,
    /// the agent goes offline (reason <c>connection-lost</c>) and their offers and chats go back to the front of their queues.
    /// </summary>
    [OneWay]
    ValueTask CheckWorkbenches();

    ValueTask<AgentAvailability> GetAvailability(string groupId);

    ValueTask GoOnline();

    ValueTask StartBreak();

    ValueTask EndBreak();

    /// <summary>AS-9: refused while holding conversations unless forced; forced, they go back to their queues.</summary>
    ValueTask GoOffline(bool force);

    /// <summary>AS-2: the presence the agent asks for, whatever they have now. Returns where they are after.</summary>
    ValueTask<AgentSnapshot> SetPresence(Presence wanted, bool force);

    ValueTask<AgentAvailability> JoinGroup(string groupId, ServiceMode mode, int cap);

    ValueTask LeaveGroup(string groupId);

    ValueTask Delete();

    /// <summary>The reservation: the agent alone decides. Returns the outcome and the agent's availability for that group.</summary>
    ValueTask<Reservation> TryReserve(string conversationId, string groupId);

    /// <summary>Whether the agent still holds the conversation as an offer it reserved (RT-5: a conversation told of its offer checks).</summary>
    ValueTask<bool> HoldsOffer(string conversationId);

    /// <summary>Whether the conversation is among the agent's work at any stage (offered, active, ended, after-call).</summary>
    ValueTask<bool> Holds(string conversationId);

    ValueTask Answer(string conversationId);

    /// <summary>AS-4: the offer timed out. Returns the stage the agent held it in: Reserved (now missed), Active (answered first), or null.</summary>
    ValueTask<WorkStage?> MissOffer(string conversationId);

    /// <summary>The customer left or stopped replying: an active conversation ends here; false when the agent no longer held it active.</summary>
    ValueTask<bool> EndIfActive(string conversationId, AfterCallRule afterCall);

    /// <summary>The conversation left the agent from outside; false when the agent no longer held it.</summary>
    ValueTask<bool> Release(string conversationId);

    ValueTask End(string conversationId, AfterCallRule afterCall);

    ValueTask Complete(string conversationId);

    ValueTask Continue(string conversationId);

    ValueTask EnterWrapUp(string conversationId, AfterCallRule afterCall);

    ValueTask FinishWrapUp(string conversationId);

    /// <summary>The agent's own after-call timer (AS-6, AS-7) came due: a turn like any other.</summary>
    [OneWay]
    ValueTask DeadlineDue();
}

/// <summary>The agent's answer to a reservation, with what the group should now think of the agent.</summary>
[GenerateSerializer, Immutable]
public sealed record Reservation(ReserveOutcome Outcome, AgentAvailability Availability);

/// <summary>How long an agent whose last workbench connection dropped stays as they were before going offline (default 60 s).</summary>
public sealed record PresenceSettings(TimeSpan Grace)
{
    public static readonly PresenceSettings Default = new(TimeSpan.FromSeconds(60));
}
