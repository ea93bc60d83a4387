using Engine.Flows;
using Engine.Grains.Hosting;
using Engine.Grains.Storage;
using Engine.Routing;
using Engine.StateMachines;

namespace Engine.Grains.Routing;

/// <summary>The conversation runs no flow (any more): it ended, or it never began.</summary>
[GenerateSerializer]
public sealed class FlowNotRunningException(string conversationId) : DomainException($"Conversation {conversationId} runs no flow.");

/// <summary>A conversation's run of its flow, as stored: which version, for whom, and the interpreter's state.</summary>
public sealed class FlowInstanceState
{
    public bool Exists { get; set; }
    public string FlowId { get; set; } = "";
    public int Version { get; set; }
    public ServiceMode Mode { get; set; }
    public string VisitorId { get; set; } = "";
    public string? ChannelId { get; set; }

    /// <summary>The customer's region, when the channel told it (DB-6).</summary>
    public string? Region { get; set; }

    /// <summary>The interpreter's state: phase, module, invalid inputs, variables and deadline.</summary>
    public FlowState Flow { get; set; } = FlowState.Initial;

    public FlowEndReason? EndReason { get; set; }

    /// <summary>The agent serving the customer, once one answered.</summary>
    public AgentCard? Agent { get; set; }
}

/// <summary>
/// One conversation running a flow: each event goes through the pure <see cref="FlowInterpreter"/>, the new state is
/// stored before anything is answered, and the effects are carried out: texts and audio become replies; a transfer
/// asks the group whether any agent is online (FL-4: none, the failure message and the end) and else starts the
/// conversation in its queue; an end ends the run. The deadline (a phone branch's timeout) is a timer armed from the
/// stored state, so a silo's loss delays it only until the run wakes on another silo.
/// After the transfer the run hears, one-way, of its queue position (from the group, RT-6) and of its agent, the
/// agent's messages and the end (from the conversation, which keeps FL-5's reply deadline); what the customer is to
/// see goes to the channel's webhook.
/// </summary>
[GrainType(TypeName)]
public sealed partial class FlowInstanceGrain(
    [PersistentState("state", EngineGrainStorage.Name)] IPersistentState<FlowInstanceState> state,
    TimeProvider time,
    IFlowVersions versions,
    IFlowReplies pushes,
    IAgentDirectory agents,
    IReceptionDesks desks,
    IEngineHistory history)
    : EngineGrain<FlowInstanceState>(state, time), IFlowInstanceGrain
{
    public const string TypeName = nameof(FlowInstanceGrain);

    private FlowDefinition? _definition;
    private IDisposable? _deadline;

    private FlowInstanceState S => State.State;

    /// <summary>A run waiting for a deadline (a phone branch's answer, an account's hours) stays; one handed to its queue or ended goes when idle.</summary>
    public override bool KeepAlive => S.Exists && S.Flow.Phase is FlowPhase.AwaitingInput or FlowPhase.WithRobot && S.Flow.DeadlineAt is not null;

    /// <summary>
    /// At start: a run handed to its group catches up with its conversation, in case a notification was lost with a
    /// silo (the agent who answered, the end, the agent taken away).
    /// </summary>
    public async ValueTask Wake()
    {
        if (S.Exists && S.Flow.Phase is FlowPhase.Queued or FlowPhase.Connected) await CatchUpAsync(await GrainFactory.Conversation(Tenant, Key).GetSnapshot());
    }

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        Arm();
        return Task.CompletedTask;
    }

    public async ValueTask<FlowOutcome> Begin(FlowStart start)
    {
        if (S.Exists) throw new DomainException($"Conversation {Key} already runs a flow.");
        _definition = await versions.GetAsync(Tenant, start.FlowId, start.Version, CancellationToken.None)
            ?? throw new DomainException($"Flow {start.FlowId} has no version {start.Version}.");
        S.Exists = true;
        (S.FlowId, S.Version, S.Mode, S.VisitorId, S.ChannelId, S.Region) = (start.FlowId, start.Version, start.Mode, start.VisitorId, start.ChannelId, start.Region);
        // DB-1: the customer came, whatever the flow makes of it; a retried begin finds the visit on record.
        await history.VisitedAsync(Tenant, new VisitRecord(Key, start.VisitorId, start.ChannelId, AccountOf(), Now));
        try
        {
            return await StepAsync(new Begin());
        }
        catch (DomainException)
        {
            State.State = new FlowInstanceState();
            throw;
        }
    }

    public async ValueTask<FlowOutcome> Receive(FlowStart start, CustomerInput input)
    {
        if (S.Exists) return await CustomerInConversation(input);
        // The customer left before anything began: nothing to run.
        if (input.Left) return new FlowOutcome(Key, FlowPhase.Ended, [], null, null, null, Handled: false);
        var begun = await Begin(start);
        // An account's chat begins with the visitor's first words, which are a question or a menu pick as any later.
        return AccountOf() is null || begun.Phase == FlowPhase.Ended ? begun : Joined(begun, await CustomerInConversation(input));
    }

    public async ValueTask<FlowOutcome> CustomerInConversation(CustomerInput input)
    {
        if (!S.Exists) throw new FlowNotRunningException(Key);
        if (S.Flow.Phase is not (FlowPhase.Queued or FlowPhase.Connected)) return await Customer(input);
        var conversation = GrainFactory.Conversation(Tenant, Key);
        if (!await CatchUpAsync(await conversation.GetSnapshot()))
        {
            // Over with its agent (the End's message pushed if the run had not heard yet): the customer's input belongs to a new conversation.
            return new FlowOutcome(Key, FlowPhase.Ended, [], null, null, null, Handled: false);
        }
        if (input.Left)
        {
            await conversation.Abandon();
            await EndRunAsync();
            return new FlowOutcome(Key, FlowPhase.Ended, [], null, null, null, Handled: true);
        }
        var text = await MenuPickAsync(input.Text ?? input.Digits);
        if (string.IsNullOrEmpty(text)) return Outcome([], handled: false);
        var appended = await conversation.AppendMessage(Engine.Conversations.MessageSender.Visitor, null, "text", text, null);
        // MK-4 "all hours": the robot answers while the visitor waits for a place.
        IReadOnlyList<FlowReply> robot = S.Flow is { Phase: FlowPhase.Queued, Robot: true } ? [await RobotReplyAsync(text, Engine.Marketing.RobotSituation.Queued)] : [];
        if (robot.Count > 0 && S.ChannelId is { } channel) await pushes.PushAsync(Tenant, channel, S.VisitorId, Outcome(robot, handled: true), CancellationToken.None);
        return Outcome(robot, handled: true) with { Seq = appended.Seq };
    }

    public async ValueTask<FlowOutcome> Customer(CustomerInput input)
    {
        if (!S.Exists) throw new FlowNotRunningException(Key);
        // A call already in the flow that "starts" again: nothing was said.
        if (!input.Left && input.Text is null && input.Digits is null) return Outcome([], handled: false);
        FlowEvent happened = input.Left ? new CustomerLeft() : input.Digits is { } digits ? new DigitsPressed(digits) : new CustomerSaid(await MenuPickAsync(input.Text) ?? "");
        return await StepAsync(happened);
    }

    public ValueTask<FlowOutcome?> GetOutcome() => new(S.Exists ? Outcome([], handled: true) : null);

    public async ValueTask DeadlineDue()
    {
        if (!S.Exists || S.Flow.DeadlineAt is not { } due) return;
        if (due > Now)
        {
            // A tick of a timer armed for an earlier deadline: the current one is armed already.
            Arm();
            return;
        }
        await StepAsync(new TimedOut());
    }

    public async ValueTask QueuePositionChanged(int position)
    {
        if (S.Exists && S.Flow.Phase == FlowPhase.Queued) await StepAsync(new QueuePosition(position));
    }

    public async ValueTask AgentConnected(string agentId)
    {
        if (!S.Exists || S.Flow.Phase is not (FlowPhase.Queued or FlowPhase.Connected) || S.Agent?.AgentId == agentId) return;
        S.Agent = await agents.FindAsync(Tenant, agentId, CancellationToken.None) ?? new AgentCard(agentId, null, null);
        var step = await StepAsync(new Engine.Flows.AgentConnected(S.Agent.StaffNo ?? ""));
        // The same staff number again (an agent without one after another): nothing to say, but the agent is new.
        if (!step.Handled) await State.WriteStateAsync();
    }

    public async ValueTask BackInQueue(int position)
    {
        if (!S.Exists || S.Flow.Phase != FlowPhase.Connected) return;
        S.Agent = null;
        await StepAsync(new AgentTakenAway());
        // RT-6: told its place on entering the queue again (offered at once to another agent: no place to tell).
        if (position >= 0) await StepAsync(new QueuePosition(position));
    }

    /// <summary>
    /// Brings a run handed to its group up to date with its conversation (<paramref name="live"/>, null once completed):
    /// the agent who answered, the agent taken away, the end. False when the conversation is over (the run ended).
    /// </summary>
    private async ValueTask<bool> CatchUpAsync(ConversationSnapshot? live)
    {
        switch (live)
        {
            case null or { Status: Engine.Conversations.ConversationStatus.Ended or Engine.Conversations.ConversationStatus.Completed }:
                await ConversationOver(live?.EndReason ?? Engine.Conversations.EndReason.None);
                return false;
            case { Status: Engine.Conversations.ConversationStatus.Active, AgentId: { } agentId } when agentId != S.Agent?.AgentId:
                await AgentConnected(agentId);
                return true;
            case { Status: Engine.Conversations.ConversationStatus.Queued or Engine.Conversations.ConversationStatus.Offered } when S.Flow.Phase == FlowPhase.Connected:
                await BackInQueue(-1);
                return true;
            default:
                return true;
        }
    }

    public async ValueTask AgentMessage(long seq, string kind, string content)
    {
        if (!S.Exists || S.ChannelId is not { } channel) return;
        await pushes.PushAsync(Tenant, channel, S.VisitorId, Outcome([new FlowReply(kind, content, null, FlowReply.FromAgent, seq)], handled: true), CancellationToken.None);
    }

    public async ValueTask ConversationOver(Engine.Conversations.EndReason reason)
    {
        if (!S.Exists) return;
        FlowEvent? happened = reason switch
        {
            Engine.Conversations.EndReason.AgentEnded => new AgentEnded(),
            Engine.Conversations.EndReason.CustomerReplyTimeout => new CustomerReplyTimedOut(),
            _ => null,
        };
        if (happened is not null && (await StepAsync(happened)).Handled) return;
        // Over some other way (its group deleted, the customer gone by another path): the run ends with it.
        S.Flow = S.Flow with { Phase = FlowPhase.Ended, DeadlineAt = null };
        S.EndReason = FlowEndReason.ConversationClosed;
        if (S.ChannelId is { } channel) await pushes.PushAsync(Tenant, channel, S.VisitorId, Outcome([], handled: true), CancellationToken.None);
        await EndRunAsync();
        Arm();
    }

    private async ValueTask<FlowOutcome> StepAsync(FlowEvent happened)
    {
        var definition = _definition ??= await versions.GetAsync(Tenant, S.FlowId, S.Version, CancellationToken.None)
            ?? throw new DomainException($"Flow {S.FlowId} has no version {S.Version}.");
        var replies = new List<FlowReply>();
        var step = FlowInterpreter.Step(S.Mode, definition, S.Flow, happened, Now);
        if (!step.Handled) return Outcome(replies, handled: false);
        var (before, beforeEnd) = (S.Flow, S.EndReason);
        var pending = new Queue<FlowEffect>(step.Effects);
        S.Flow = step.State;
        try
        {
            await CarryOutAsync(definition, pending, replies);
        }
        catch (DomainException)
        {
            // Refused part-way (the group was deleted meanwhile): nothing of this step is kept, in memory or stored.
            S.Flow = before;
            S.EndReason = beforeEnd;
            throw;
        }
        var outcome = Outcome(replies, handled: true);
        // The customer hears what was said, the end, and the agent who took the conversation (also with no success message to say).
        var connected = S.Flow.Phase == FlowPhase.Connected && before.Phase != FlowPhase.Connected;
        if (S.ChannelId is { } channel && (replies.Count > 0 || S.Flow.Phase == FlowPhase.Ended || connected))
            await pushes.PushAsync(Tenant, channel, S.VisitorId, outcome, CancellationToken.None);
        if (S.Flow.Phase == FlowPhase.Ended) await EndRunAsync();
        else await State.WriteStateAsync();
        Arm();
        return outcome;
    }

    private async ValueTask CarryOutAsync(FlowDefinition definition, Queue<FlowEffect> pending, List<FlowReply> replies)
    {
        while (pending.TryDequeue(out var effect))
        {
            switch (effect)
            {
                case SendText text:
                    replies.Add(new FlowReply("text", text.Text));
                    break;
                case PlayAudio audio:
                    replies.Add(new FlowReply("audio", audio.Text, audio.AudioFileId));
                    break;
                case Enqueue enqueue:
                    // FL-4: with no agent of the group online the flow answers at once; else the conversation joins its queue.
                    var next = await TransferAsync(definition, enqueue.SkillGroupId, enqueue.ReplyTimeout);
                    S.Flow = next.State;
                    foreach (var more in next.Effects) pending.Enqueue(more);
                    break;
                case EndConversation end:
                    S.EndReason = end.Reason;
                    break;
                case AskRobot ask:
                    replies.Add(await RobotReplyAsync(ask.Question, Engine.Marketing.RobotSituation.OffHours));
                    break;
            }
        }
    }

    /// <summary>An ended run leaves nothing behind, in the store or in memory: the visitor's next input opens a new conversation.</summary>
    private async ValueTask EndRunAsync()
    {
        var visitor = S.VisitorId;
        await State.ClearStateAsync();
        await GrainFactory.Visitor(Tenant, visitor).ConversationEnded(Key);
        DeactivateOnIdle();
    }

    /// <summary>
    /// Hands the conversation to the group; the flow hears where it stands (queued at a position, or nobody online:
    /// the group refuses it then, and no conversation is left behind).
    /// </summary>
    private async ValueTask<FlowStep> TransferAsync(FlowDefinition definition, string groupId, TimeSpan? replyTimeout)
    {
        if (AccountOf() is not null) return await AccountTransferAsync(definition, groupId, replyTimeout);
        StartResult started;
        try
        {
            started = await GrainFactory.Conversation(Tenant, Key).StartFromFlow(S.VisitorId, S.Mode, groupId, replyTimeout, origin: Origin());
        }
        catch (NoAgentOnlineException)
        {
            return FlowInterpreter.Step(S.Mode, definition, S.Flow, new NoAgentOnline(), Now);
        }
        // Offered at once (position -1): no queue message; else the conversations ahead of it, 0 = next (RT-6).
        return started.Position < 0
            ? new FlowStep(S.Flow, [], Handled: true)
            : FlowInterpreter.Step(S.Mode, definition, S.Flow, new QueuePosition(started.Position), Now);
    }

    private FlowOutcome Outcome(IReadOnlyList<FlowReply> replies, bool handled)
        => new(Key, S.Flow.Phase, replies, S.Flow.ModuleId, S.Flow.WaitNo, S.EndReason, handled, S.Agent);

    private void Arm()
    {
        _deadline?.Dispose();
        _deadline = null;
        if (!S.Exists || S.Flow.DeadlineAt is not { } due) return;
        var self = this.AsReference<IFlowInstanceGrain>();
        _deadline = ArmTimer(due, () => self.DeadlineDue());
    }
}
