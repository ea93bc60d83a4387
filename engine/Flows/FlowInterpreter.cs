using System.Text.Json.Serialization;
using Engine.Routing;

namespace Engine.Flows;

/// <summary>Where a conversation is in its flow.</summary>
[GenerateSerializer]
public enum FlowPhase
{
    /// <summary>Not begun.</summary>
    NotStarted,

    /// <summary>At a Branch, waiting for the customer's answer (and, on the phone, for its timeout).</summary>
    AwaitingInput,

    /// <summary>Handed to the Transfer's skill group, waiting for an agent.</summary>
    Queued,

    /// <summary>With an agent; the End after the Transfer applies (FL-5).</summary>
    Connected,

    /// <summary>Done: the conversation ended, or it went on without the flow.</summary>
    Ended,

    /// <summary>
    /// MK-4: a marketing account's staff are outside their reception hours; the robot receives the visitor until the
    /// hours begin (the deadline), then the Transfer runs again.
    /// </summary>
    WithRobot,
}

/// <summary>Why a flow ended the conversation.</summary>
[GenerateSerializer]
public enum FlowEndReason
{
    /// <summary>The flow reached an End without a transfer.</summary>
    Finished,

    /// <summary>FL-4: no agent of the Transfer's group was online.</summary>
    NoAgentOnline,

    /// <summary>FL-3: a phone branch got its most invalid inputs (timeouts count); the call is hung up.</summary>
    TooManyInvalidInputs,

    /// <summary>FL-5: after an agent's message the customer did not reply in time.</summary>
    CustomerReplyTimeout,

    /// <summary>The agent ended the conversation (FL-5's agent-ended message was sent).</summary>
    AgentEnded,

    /// <summary>The conversation ended otherwise: the customer left, or it had nowhere to wait.</summary>
    ConversationClosed,
}

/// <summary>
/// A conversation's place in its flow: the phase, the module it is at (queued and connected: its Transfer), the
/// invalid inputs counted at the current Branch, the variables (FL-2) and the one deadline it waits for (a phone
/// branch's timeout), as a value the grain arms a timer for. FL-5's reply deadline is the conversation's own.
/// </summary>
/// <see cref="Robot"/>: MK-4 "all hours", the robot answers a queued visitor while every staff member is at their cap.
public sealed record FlowState(
    FlowPhase Phase = FlowPhase.NotStarted, string? ModuleId = null, int InvalidInputs = 0, int? WaitNo = null, string? StaffNo = null,
    DateTimeOffset? DeadlineAt = null, bool Robot = false)
{
    public static readonly FlowState Initial = new();
}

/// <summary>What happens to a conversation in its flow.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(Begin), "begin")]
[JsonDerivedType(typeof(CustomerSaid), "customerSaid")]
[JsonDerivedType(typeof(DigitsPressed), "digitsPressed")]
[JsonDerivedType(typeof(TimedOut), "timeout")]
[JsonDerivedType(typeof(QueuePosition), "queuePosition")]
[JsonDerivedType(typeof(AgentConnected), "agentConnected")]
[JsonDerivedType(typeof(NoAgentOnline), "noAgentOnline")]
[JsonDerivedType(typeof(CustomerReplyTimedOut), "customerReplyTimedOut")]
[JsonDerivedType(typeof(AgentTakenAway), "agentTakenAway")]
[JsonDerivedType(typeof(AgentEnded), "agentEnded")]
[JsonDerivedType(typeof(CustomerLeft), "customerLeft")]
[JsonDerivedType(typeof(StaffOffHours), "staffOffHours")]
[JsonDerivedType(typeof(StaffAtCap), "staffAtCap")]
public abstract record FlowEvent;

/// <summary>The conversation begins: the flow runs from Start.</summary>
public sealed record Begin : FlowEvent;

/// <summary>The customer wrote (online, omni-media) or the caller's speech was read (phone).</summary>
public sealed record CustomerSaid(string Text) : FlowEvent;

/// <summary>The caller pressed keys (phone).</summary>
public sealed record DigitsPressed(string Digits) : FlowEvent;

/// <summary>The deadline of <see cref="FlowState.DeadlineAt"/> came.</summary>
public sealed record TimedOut : FlowEvent;

/// <summary>RT-6: the conversation's position in its group's queue: the conversations ahead of it (0 = next).</summary>
public sealed record QueuePosition(int WaitNo) : FlowEvent;

/// <summary>An agent answered (again, after the first was taken away); FL-2 <c>${StaffNo}</c> is theirs.</summary>
public sealed record AgentConnected(string StaffNo) : FlowEvent;

/// <summary>FL-4: no agent of the Transfer's group is online.</summary>
public sealed record NoAgentOnline : FlowEvent;

/// <summary>FL-5: after an agent's message the customer did not reply within the End's reply timeout (the conversation's deadline).</summary>
public sealed record CustomerReplyTimedOut : FlowEvent;

/// <summary>The agent ended the conversation.</summary>
public sealed record AgentEnded : FlowEvent;

/// <summary>The agent was taken away (forced offline): the conversation waits at the front of its queue again.</summary>
public sealed record AgentTakenAway : FlowEvent;

/// <summary>The customer left (closed the chat, hung up).</summary>
public sealed record CustomerLeft : FlowEvent;

/// <summary>
/// MK-4, at a marketing account's Transfer: its staff are outside reception hours. The robot receives the visitor until
/// <see cref="OpensAt"/> (null: the account has no hours at all), when the Transfer runs again.
/// </summary>
public sealed record StaffOffHours(DateTimeOffset? OpensAt) : FlowEvent;

/// <summary>MK-4 "all hours", at a marketing account's Transfer: every staff member online is at their cap; the robot answers while the visitor waits.</summary>
public sealed record StaffAtCap : FlowEvent;

/// <summary>What the grain running the flow does.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(SendText), "sendText")]
[JsonDerivedType(typeof(PlayAudio), "playAudio")]
[JsonDerivedType(typeof(Enqueue), "enqueue")]
[JsonDerivedType(typeof(EndConversation), "end")]
[JsonDerivedType(typeof(AskRobot), "askRobot")]
public abstract record FlowEffect;

/// <summary>Send a text to the customer, variables filled in.</summary>
public sealed record SendText(string Text) : FlowEffect;

/// <summary>Play an approved audio file, or speak a text (phone).</summary>
public sealed record PlayAudio(string? AudioFileId, string? Text) : FlowEffect;

/// <summary>
/// Transfer the conversation to the skill group's queue (FL-4), with FL-5's customer reply timeout of the End after
/// the Transfer: the conversation keeps that deadline after each agent message.
/// </summary>
public sealed record Enqueue(string SkillGroupId, TimeSpan? ReplyTimeout = null) : FlowEffect;

/// <summary>End the conversation (hang up a call).</summary>
public sealed record EndConversation(FlowEndReason Reason) : FlowEffect;

/// <summary>MK-4: the robot answers the customer's question from the FAQ.</summary>
public sealed record AskRobot(string Question) : FlowEffect;

/// <summary>
/// The outcome of one event: the new state, what to do, and whether the event meant anything in the state it
/// met (an answer outside a Branch, a stale deadline, anything after the end mean nothing to the flow).
/// </summary>
public sealed record FlowStep(FlowState State, IReadOnlyList<FlowEffect> Effects, bool Handled);

/// <summary>
/// Runs a flow: <c>(state, event, now) → (state, effects)</c>, with no clock and no I/O of its own. Texts have
/// <c>${WaitNo}</c> and <c>${StaffNo}</c> filled in (FL-2). Expects a flow that passed <see cref="FlowValidator"/>.
/// </summary>
public static class FlowInterpreter
{
    public static FlowStep Step(ServiceMode mode, FlowDefinition flow, FlowState state, FlowEvent happened, DateTimeOffset now)
    {
        var effects = new List<FlowEffect>();
        var next = (state.Phase, happened) switch
        {
            (FlowPhase.NotStarted, Begin) => RunFrom(mode, flow, flow.Modules.OfType<StartModule>().First().Id, state, effects, now),
            (FlowPhase.AwaitingInput, CustomerSaid said) => Answer(mode, flow, state, said.Text, effects, now),
            (FlowPhase.AwaitingInput, DigitsPressed digits) => Answer(mode, flow, state, digits.Digits, effects, now),
            (FlowPhase.AwaitingInput, TimedOut) when Due(state, now) => InputTimedOut(mode, flow, state, effects, now),
            (FlowPhase.Queued, QueuePosition position) when position.WaitNo != state.WaitNo => Queued(mode, flow, state with { WaitNo = position.WaitNo }, effects),
            (FlowPhase.Queued or FlowPhase.Connected, AgentConnected connected) when connected.StaffNo != state.StaffNo || state.Phase == FlowPhase.Queued
                => Connected(mode, flow, state with { StaffNo = connected.StaffNo, WaitNo = null }, effects),
            (FlowPhase.Queued, NoAgentOnline) => NoneOnline(mode, flow, state, effects),
            (FlowPhase.Connected, AgentTakenAway) => state with { Phase = FlowPhase.Queued, StaffNo = null, WaitNo = null },
            // Also while queued: the connection was missed (a notification lost with a silo), the end is not.
            (FlowPhase.Queued or FlowPhase.Connected, CustomerReplyTimedOut) => ReplyTimedOut(flow, state, effects),
            (FlowPhase.Queued or FlowPhase.Connected, AgentEnded) => AgentEndedIt(flow, state, effects),
            (not FlowPhase.Ended, CustomerLeft) => state with { Phase = FlowPhase.Ended, DeadlineAt = null },
            (FlowPhase.Queued, StaffOffHours off) => state with { Phase = FlowPhase.WithRobot, WaitNo = null, DeadlineAt = off.OpensAt },
            (FlowPhase.Queued, StaffAtCap) => state with { Robot = true },
            (FlowPhase.WithRobot, CustomerSaid said) => AskRobotFor(said.Text, state, effects),
            // MK-4: hours began; the Transfer runs again.
            (FlowPhase.WithRobot, TimedOut) when Due(state, now) => RunFrom(mode, flow, state.ModuleId!, state with { DeadlineAt = null }, effects, now),
            _ => null,
        };
        return next is null ? new FlowStep(state, [], Handled: false) : new FlowStep(next, effects, Handled: true);
    }

    /// <summary>FL-2: the variables in a text, each empty until known.</summary>
    public static string Fill(string text, FlowState state)
        => text.Replace("${WaitNo}", state.WaitNo?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "", StringComparison.Ordinal)
            .Replace("${StaffNo}", state.StaffNo ?? "", StringComparison.Ordinal);

    /// <summary>Walks modules that do not wait (Start, messages) until one that does: a Branch, a Transfer or an End.</summary>
    private static FlowState RunFrom(ServiceMode mode, FlowDefinition flow, string moduleId, FlowState state, List<FlowEffect> effects, DateTimeOffset now)
    {
        var id = moduleId;
        // A valid flow waits within as many steps as it has modules; the bound only guards an unchecked one.
        for (var steps = 0; steps <= flow.Modules.Count; steps++)
        {
            switch (flow.Find(id))
            {
                case StartModule start:
                    id = start.Next;
                    continue;
                case MessageModule message:
                    Say(mode, message.Text, message.AudioFileId, state, effects);
                    id = message.Next;
                    continue;
                case BranchModule branch:
                    Say(mode, branch.Prompt, null, state, effects);
                    return state with { Phase = FlowPhase.AwaitingInput, ModuleId = branch.Id, InvalidInputs = 0, DeadlineAt = InputDeadline(mode, branch, now) };
                case TransferModule transfer:
                    if (mode == ServiceMode.Phone && transfer.TransferAudioId is not null) effects.Add(new PlayAudio(transfer.TransferAudioId, null));
                    effects.Add(new Enqueue(transfer.SkillGroupId!, ReplyTimeout(flow, transfer)));
                    return state with { Phase = FlowPhase.Queued, ModuleId = transfer.Id, InvalidInputs = 0, DeadlineAt = null };
                case EndModule end:
                    effects.Add(new EndConversation(FlowEndReason.Finished));
                    return state with { Phase = FlowPhase.Ended, ModuleId = end.Id, DeadlineAt = null };
                default:
                    effects.Add(new EndConversation(FlowEndReason.Finished));
                    return state with { Phase = FlowPhase.Ended, DeadlineAt = null };
            }
        }
        effects.Add(new EndConversation(FlowEndReason.Finished));
        return state with { Phase = FlowPhase.Ended, DeadlineAt = null };
    }

    /// <summary>FL-3: an answer a keyword knows goes on from its option; any other gets the invalid-input prompt and waits again.</summary>
    private static FlowState Answer(ServiceMode mode, FlowDefinition flow, FlowState state, string answer, List<FlowEffect> effects, DateTimeOffset now)
    {
        var branch = (BranchModule)flow.Find(state.ModuleId)!;
        if (Keywords.Match(branch, answer) is { } option) return RunFrom(mode, flow, option.Next!, state with { InvalidInputs = 0 }, effects, now);
        return Invalid(mode, branch, state, branch.InvalidPrompt, effects, now);
    }

    /// <summary>FL-3 phone: a timeout plays the timeout prompt and counts as an invalid input.</summary>
    private static FlowState InputTimedOut(ServiceMode mode, FlowDefinition flow, FlowState state, List<FlowEffect> effects, DateTimeOffset now)
    {
        var branch = (BranchModule)flow.Find(state.ModuleId)!;
        return Invalid(mode, branch, state, branch.TimeoutPrompt, effects, now);
    }

    private static FlowState Invalid(ServiceMode mode, BranchModule branch, FlowState state, string? prompt, List<FlowEffect> effects, DateTimeOffset now)
    {
        var invalid = state.InvalidInputs + 1;
        if (mode == ServiceMode.Phone && branch.MaxInvalidInputs is { } max && invalid >= max)
        {
            effects.Add(new EndConversation(FlowEndReason.TooManyInvalidInputs));
            return state with { Phase = FlowPhase.Ended, InvalidInputs = invalid, DeadlineAt = null };
        }
        Say(mode, prompt, null, state, effects);
        // A caller hears the menu again; a chat keeps it above.
        if (mode == ServiceMode.Phone) Say(mode, branch.Prompt, null, state, effects);
        return state with { InvalidInputs = invalid, DeadlineAt = InputDeadline(mode, branch, now) };
    }

    /// <summary>RT-6, FL-4: the queue message, with the new position, whenever it changes.</summary>
    private static FlowState Queued(ServiceMode mode, FlowDefinition flow, FlowState state, List<FlowEffect> effects)
    {
        var transfer = (TransferModule)flow.Find(state.ModuleId)!;
        Say(mode, transfer.QueueMessage, null, state, effects);
        if (mode == ServiceMode.Phone && transfer.LoopMusicId is not null) effects.Add(new PlayAudio(transfer.LoopMusicId, null));
        return state;
    }

    /// <summary>
    /// FL-4: the success message (phone: the announcement) once an agent answers, and again with the new
    /// <c>${StaffNo}</c> when another agent takes over; the End after the Transfer applies from now on (FL-5).
    /// </summary>
    private static FlowState Connected(ServiceMode mode, FlowDefinition flow, FlowState state, List<FlowEffect> effects)
    {
        var transfer = (TransferModule)flow.Find(state.ModuleId)!;
        Say(mode, mode == ServiceMode.Phone ? transfer.ConnectAnnouncement ?? transfer.SuccessMessage : transfer.SuccessMessage, null, state, effects);
        return state with { Phase = FlowPhase.Connected, DeadlineAt = null, Robot = false };
    }

    private static FlowState AskRobotFor(string question, FlowState state, List<FlowEffect> effects)
    {
        effects.Add(new AskRobot(question));
        return state;
    }

    /// <summary>FL-4: no agent of the group online: the failure message, and the conversation ends.</summary>
    private static FlowState NoneOnline(ServiceMode mode, FlowDefinition flow, FlowState state, List<FlowEffect> effects)
    {
        var transfer = (TransferModule)flow.Find(state.ModuleId)!;
        Say(mode, transfer.FailureMessage, null, state, effects);
        effects.Add(new EndConversation(FlowEndReason.NoAgentOnline));
        return state with { Phase = FlowPhase.Ended, DeadlineAt = null };
    }

    /// <summary>FL-5: the reply timeout of the End after a Transfer (none on the phone, or when not set).</summary>
    private static TimeSpan? ReplyTimeout(FlowDefinition flow, TransferModule transfer)
        => flow.Find(transfer.Next) is EndModule { ReplyTimeoutSeconds: { } seconds } ? TimeSpan.FromSeconds(seconds) : null;

    /// <summary>The End whose settings apply while connected (FL-5): the one after the Transfer.</summary>
    private static EndModule? EndAfterTransfer(FlowDefinition flow, FlowState state)
        => flow.Find(state.ModuleId) is TransferModule transfer ? flow.Find(transfer.Next) as EndModule : null;

    /// <summary>FL-5: the customer did not reply in time: the timeout message, and the conversation ends.</summary>
    private static FlowState ReplyTimedOut(FlowDefinition flow, FlowState state, List<FlowEffect> effects)
    {
        if (EndAfterTransfer(flow, state) is { TimeoutMessage: { } message } && !string.IsNullOrWhiteSpace(message)) effects.Add(new SendText(Fill(message, state)));
        effects.Add(new EndConversation(FlowEndReason.CustomerReplyTimeout));
        return state with { Phase = FlowPhase.Ended, ModuleId = EndAfterTransfer(flow, state)?.Id ?? state.ModuleId, DeadlineAt = null };
    }

    /// <summary>FL-5: the agent ended the conversation: the End's message for it.</summary>
    private static FlowState AgentEndedIt(FlowDefinition flow, FlowState state, List<FlowEffect> effects)
    {
        if (EndAfterTransfer(flow, state) is { AgentEndedMessage: { } message } && !string.IsNullOrWhiteSpace(message)) effects.Add(new SendText(Fill(message, state)));
        effects.Add(new EndConversation(FlowEndReason.AgentEnded));
        return state with { Phase = FlowPhase.Ended, ModuleId = EndAfterTransfer(flow, state)?.Id ?? state.ModuleId, DeadlineAt = null };
    }

    private static bool Due(FlowState state, DateTimeOffset now) => state.DeadlineAt is { } at && at <= now;

    private static DateTimeOffset? InputDeadline(ServiceMode mode, BranchModule branch, DateTimeOffset now)
        => mode == ServiceMode.Phone && branch.TimeoutSeconds is { } seconds ? now.AddSeconds(seconds) : null;

    /// <summary>A text to the customer: sent in a chat, spoken on the phone; an audio file played on the phone. Nothing for an empty one.</summary>
    private static void Say(ServiceMode mode, string? text, string? audioFileId, FlowState state, List<FlowEffect> effects)
    {
        if (mode == ServiceMode.Phone)
        {
            if (audioFileId is not null || !string.IsNullOrWhiteSpace(text)) effects.Add(new PlayAudio(audioFileId, string.IsNullOrWhiteSpace(text) ? null : Fill(text, state)));
            return;
        }
        if (!string.IsNullOrWhiteSpace(text)) effects.Add(new SendText(Fill(text, state)));
    }
}
