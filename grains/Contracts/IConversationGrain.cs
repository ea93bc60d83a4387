using Engine.Conversations;
using Engine.Routing;

namespace Engine.Grains.Routing;

/// <summary>
/// One conversation (key <c>tenant/conversationId</c>): drives itself through queue, offer, answer, end and
/// completion. Calls go down (to its group and its agent); it hears of offers, overflows and lost agents one-way.
/// </summary>
public interface IConversationGrain : IGrainWithStringKey
{
    ValueTask<ConversationSnapshot?> GetSnapshot();

    /// <summary>Creates the conversation already transferred to a group. Returns it and its queue position (-1 if offered at once).</summary>
    ValueTask<StartResult> Start(string visitorId, ServiceMode mode, string groupId);

    /// <summary>
    /// FL-4: a flow's Transfer starts the conversation in its group; the flow's run (same key) then hears of its queue
    /// position (RT-6), its agent, the agent's messages and its end. FL-5: after each agent message the customer has
    /// <paramref name="replyTimeout"/> to answer, else the conversation ends. <paramref name="requireOnline"/>: refused
    /// (<see cref="NoAgentOnlineException"/>) when no agent of the group is online; a marketing account's chat waits instead (MK-4).
    /// </summary>
    ValueTask<StartResult> StartFromFlow(string visitorId, ServiceMode mode, string groupId, TimeSpan? replyTimeout, bool requireOnline = true, Engine.Conversations.ConversationOrigin? origin = null);

    /// <summary>From the group: an agent reserved capacity for this conversation, which was waiting in the queue.</summary>
    [OneWay]
    ValueTask Offered(string agentId, string groupId, RoutingSettings settings);

    /// <summary>AS-3: the agent answers the offer ringing at them.</summary>
    ValueTask<ConversationSnapshot> Answer(string agentId);

    /// <summary>The agent ends the conversation (结束会话 / hang up).</summary>
    ValueTask<ConversationSnapshot> End(string agentId);

    /// <summary>AS-5: the agent completes an ended chat (完成会话); it leaves the agent's list.</summary>
    ValueTask<ConversationSnapshot> Complete(string agentId);

    /// <summary>AS-6: after a call, the agent enters wrap-up instead of continuing (the call stays ended until wrap-up ends).</summary>
    ValueTask<ConversationSnapshot> EnterWrapUp(string agentId);

    /// <summary>AS-6: wrap-up ended from the menu.</summary>
    ValueTask<ConversationSnapshot> FinishWrapUp(string agentId);

    /// <summary>From the agent: the after-call time ran out (AS-6, AS-7) or the agent was forced offline.</summary>
    [OneWay]
    ValueTask AfterCallDone(string agentId);

    /// <summary>From an agent forced offline: back to the front of the queue.</summary>
    [OneWay]
    ValueTask AgentLost(string agentId);

    /// <summary>From a group that did not serve this conversation in time (RT-4 overflow).</summary>
    [OneWay]
    ValueTask Overflow(string fromGroupId, string targetGroupId);

    /// <summary>The customer left: out of the queue, the offer withdrawn, or the agent moves to wrap-up.</summary>
    ValueTask<ConversationSnapshot> Abandon();

    /// <summary>A message, numbered in the conversation; a resend with the same client message id returns the first one's number.</summary>
    ValueTask<AppendResult> AppendMessage(MessageSender sender, string? agentId, string kind, string content, string? clientMessageId);

    /// <summary>FL-5: the agent wrote; without a reply within <paramref name="replyTimeout"/> the conversation ends.</summary>
    ValueTask AgentWrote(string agentId, TimeSpan? replyTimeout);

    ValueTask CustomerWrote();

    /// <summary>One of the conversation's own deadline timers (offer, reply) came due.</summary>
    [OneWay]
    ValueTask DeadlineDue(string deadline);

    /// <summary>Activates a live conversation (at start, after a silo was lost), which re-arms its deadlines.</summary>
    [OneWay]
    ValueTask Wake();
}

[GenerateSerializer, Immutable]
public sealed record StartResult(ConversationSnapshot Conversation, int Position);

[GenerateSerializer, Immutable]
public sealed record AppendResult(long Seq, bool IsNew);
