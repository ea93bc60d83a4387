using Engine.Flows;
using Engine.Routing;

namespace Engine.Grains.Routing;

/// <summary>
/// One conversation running a flow (key <c>tenant/conversationId</c>): greets, branches, waits for answers and
/// timeouts, and at a Transfer hands the conversation to its skill group (the conversation grain, same key). It
/// runs the flow version it began with; its state and deadline survive a silo's loss.
/// </summary>
public interface IFlowInstanceGrain : IGrainWithStringKey
{
    /// <summary>Runs the flow from Start for a new conversation of <paramref name="start"/>'s visitor.</summary>
    ValueTask<FlowOutcome> Begin(FlowStart start);

    /// <summary>
    /// What a channel's customer did, for the conversation the visitor is in: a run not yet begun begins (the event
    /// opens the conversation: the greeting answers it); a running one takes the input.
    /// </summary>
    ValueTask<FlowOutcome> Receive(FlowStart start, CustomerInput input);

    /// <summary>
    /// The customer wrote or spoke (<see cref="CustomerInput.Text"/>), pressed keys, or left. In the flow, the flow
    /// answers; once handed to a group, a text goes to the conversation (the agent sees it) and leaving abandons it; a
    /// conversation over by then ends the run (<see cref="FlowOutcome.Handled"/> false: the input opens a new one).
    /// </summary>
    ValueTask<FlowOutcome> CustomerInConversation(CustomerInput input);

    /// <summary>The customer wrote or spoke (<see cref="CustomerInput.Text"/>), pressed keys (<see cref="CustomerInput.Digits"/>), or left.</summary>
    ValueTask<FlowOutcome> Customer(CustomerInput input);

    ValueTask<FlowOutcome?> GetOutcome();

    /// <summary>The deadline of the current step (a phone branch's timeout) came due.</summary>
    [OneWay]
    ValueTask DeadlineDue();

    /// <summary>RT-6 from the group: the conversation's new position in its queue (the conversations ahead, 0 = next).</summary>
    [OneWay]
    ValueTask QueuePositionChanged(int position);

    /// <summary>From the conversation: an agent answered it (FL-4's success message with their <c>${StaffNo}</c>).</summary>
    [OneWay]
    ValueTask AgentConnected(string agentId);

    /// <summary>
    /// From the conversation: its agent was taken away (forced offline) and it waits at the front of its queue again,
    /// at <paramref name="position"/> (-1: offered at once to another agent).
    /// </summary>
    [OneWay]
    ValueTask BackInQueue(int position);

    /// <summary>From the conversation: the agent wrote; the customer gets it where the channel reaches them.</summary>
    [OneWay]
    ValueTask AgentMessage(long seq, string kind, string content);

    /// <summary>From the conversation: it ended (FL-5: the agent ended it, or the customer did not reply in time); the run ends.</summary>
    [OneWay]
    ValueTask ConversationOver(Engine.Conversations.EndReason reason);

    /// <summary>
    /// Activates a live flow (at start, after a silo was lost), which re-arms its deadline; a run handed to its group
    /// catches up with its conversation (a notification lost with the silo).
    /// </summary>
    [OneWay]
    ValueTask Wake();
}

/// <summary>Which flow version a conversation runs, for which visitor, from which channel (and region, when the channel told it).</summary>
[GenerateSerializer, Immutable]
public sealed record FlowStart(
    [property: Id(0)] string FlowId, [property: Id(1)] int Version, [property: Id(2)] ServiceMode Mode,
    [property: Id(3)] string VisitorId, [property: Id(4)] string? ChannelId, [property: Id(5)] string? Region = null);

/// <summary>What the customer did: a text, keys pressed, or leaving.</summary>
[GenerateSerializer, Immutable]
public sealed record CustomerInput([property: Id(0)] string? Text, [property: Id(1)] string? Digits, [property: Id(2)] bool Left = false);

/// <summary>
/// What the customer is to see or hear: a text, or an audio file or text to speak (phone), from the flow; or the
/// agent's message (<see cref="From"/> <c>agent</c>, with its number in the conversation).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record FlowReply(
    [property: Id(0)] string Kind, [property: Id(1)] string? Text, [property: Id(2)] string? AudioFileId = null,
    [property: Id(3)] string From = FlowReply.FromFlow, [property: Id(4)] long? Seq = null)
{
    public const string FromFlow = "flow";
    public const string FromAgent = "agent";

    /// <summary>MK-4: the account's robot, answering from the FAQ.</summary>
    public const string FromRobot = "robot";
}

/// <summary>The agent serving the customer, as the customer may see them: nickname and staff number (FL-2 <c>${StaffNo}</c>).</summary>
[GenerateSerializer, Immutable]
public sealed record AgentCard([property: Id(0)] string AgentId, [property: Id(1)] string? Nickname, [property: Id(2)] string? StaffNo);

/// <summary>
/// Where the conversation stands after an event, with the replies it produced: in the flow (waiting at a Branch),
/// queued (with its position: the conversations ahead, 0 = next), connected (with its agent), or ended (and why).
/// <see cref="Seq"/> is the number of the customer's message in the conversation when it went to the agent.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record FlowOutcome(
    [property: Id(0)] string ConversationId, [property: Id(1)] FlowPhase Phase, [property: Id(2)] IReadOnlyList<FlowReply> Replies,
    [property: Id(3)] string? ModuleId, [property: Id(4)] int? WaitNo, [property: Id(5)] FlowEndReason? EndReason, [property: Id(6)] bool Handled,
    [property: Id(7)] AgentCard? Agent = null, [property: Id(8)] long? Seq = null);

/// <summary>Where the grains read a flow's saved versions (the server's store; a test's dictionary). A version never changes.</summary>
public interface IFlowVersions
{
    ValueTask<FlowDefinition?> GetAsync(string tenant, string flowId, int version, CancellationToken cancellationToken);
}

/// <summary>Who an agent is to the customers they serve (the server's users; a test's dictionary).</summary>
public interface IAgentDirectory
{
    /// <summary>The agent's card; null for an agent the directory does not know.</summary>
    ValueTask<AgentCard?> FindAsync(string tenant, string agentId, CancellationToken cancellationToken);
}

/// <summary>
/// Where a flow run sends what a customer is to see or hear, besides the answer to the call that caused it (a timeout's
/// prompt has no caller): the channel's webhook. Awaited before the run's state is stored, so a reply is pushed at
/// least once.
/// </summary>
public interface IFlowReplies
{
    ValueTask PushAsync(string tenant, string channelId, string visitorId, FlowOutcome outcome, CancellationToken cancellationToken);
}

/// <summary>Replies go nowhere but to the caller (a silo without channels: tests of the routing, benchmarks).</summary>
public sealed class NullFlowReplies : IFlowReplies
{
    public static readonly NullFlowReplies Instance = new();

    public ValueTask PushAsync(string tenant, string channelId, string visitorId, FlowOutcome outcome, CancellationToken cancellationToken) => default;
}
