using Engine.Agents;
using Engine.Conversations;
using Engine.Grains.Hosting;
using Engine.Grains.Storage;
using Engine.Routing;
using Engine.StateMachines;

namespace Engine.Grains.Routing;

/// <summary>
/// One conversation: drives itself through queue, offer, answer, end and completion. Calls go down
/// (to its group and its agent); it hears of offers, overflows and lost agents one-way.
/// </summary>
[GrainType(TypeName), Orleans.Placement.PreferLocalPlacement]
public sealed class ConversationGrain(
    [PersistentState("state", EngineGrainStorage.Name)] IPersistentState<ConversationState> state,
    TimeProvider time,
    IEngineEvents events,
    IEngineHistory history,
    EngineCounters counters)
    : EngineGrain<ConversationState>(state, time), IConversationGrain
{
    public const string TypeName = nameof(ConversationGrain);

    private const string OfferTimer = "offer";

    /// <summary>
    /// How often an offer without a deadline (timeout transfer off) asks its agent whether they still hold it: after a
    /// failover an agent may have let go of a reservation that this conversation still stored, and would never ring.
    /// </summary>
    public static readonly TimeSpan OfferCheckInterval = TimeSpan.FromSeconds(10);
    private const string ReplyTimer = "reply";

    /// <summary>
    /// The offer and reply deadlines: timers of this activation, armed from the state whenever it activates
    /// (live conversations wake on start), so that nothing but the state is stored for them.
    /// </summary>
    private IDisposable? _offerTimer;
    private IDisposable? _replyTimer;
    private ConversationStatus? _counted;
    private string? _agentId;
    private IAgentGrain? _agent;

    private ConversationState S => State.State;

    public override bool KeepAlive => S.Exists && S.Status != ConversationStatus.Completed;

    public ValueTask Wake() => default;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (!S.Exists) return;
        Count();
        // The state and a message's record are written side by side; a crash or a failed write between
        // them may have kept the record only. Numbering continues after what is on record.
        var onRecord = await history.MessagesOnRecordAsync(Tenant, Key);
        S.CatchUp(onRecord.LastSeq, onRecord.Recent);
        if (S.Status == ConversationStatus.Queued) await RejoinQueueAsync();
        if (S.Status == ConversationStatus.Offered) ArmOffer(Now);
        if (S.Status == ConversationStatus.Active && S.ReplyDeadline is { } reply) Arm(ReplyTimer, reply);
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        Disarm(OfferTimer);
        Disarm(ReplyTimer);
        counters.MoveConversation(_counted, null);
        _counted = null;
        // A live conversation dropped after a failed turn comes back at once, to re-arm its deadlines.
        if (reason.ReasonCode == DeactivationReasonCode.ApplicationError && KeepAlive) _ = this.AsReference<IConversationGrain>().Wake();
        return Task.CompletedTask;
    }

    public ValueTask<ConversationSnapshot?> GetSnapshot() => new(S.Exists ? ConversationSnapshot.Of(S) : null);

    /// <summary>Creates the conversation already transferred to a group. Returns it and its queue position (-1 if offered at once).</summary>
    public ValueTask<StartResult> Start(string visitorId, ServiceMode mode, string groupId) => StartAsync(visitorId, mode, groupId, fromFlow: false, null, requireOnline: false);

    /// <summary>FL-4: a flow's Transfer starts the conversation; its run (same key) hears how it goes. FL-5's reply timeout comes with it.</summary>
    public ValueTask<StartResult> StartFromFlow(string visitorId, ServiceMode mode, string groupId, TimeSpan? replyTimeout, bool requireOnline = true, ConversationOrigin? origin = null)
        => StartAsync(visitorId, mode, groupId, fromFlow: true, replyTimeout, requireOnline, origin);

    private async ValueTask<StartResult> StartAsync(string visitorId, ServiceMode mode, string groupId, bool fromFlow, TimeSpan? replyTimeout, bool requireOnline, ConversationOrigin? origin = null)
    {
        var now = Now;
        if (S.Exists) throw new DomainException($"Conversation {Key} already exists.");
        S.Create(Key, visitorId, mode, now);
        if (fromFlow) S.ComeFromFlow(replyTimeout, origin);
        S.TransferTo(groupId, now);
        int position;
        try
        {
            position = await EnqueueIn(groupId, front: false, requireOnline);
        }
        catch (DomainException)
        {
            // The group refused: nothing of this conversation remains.
            State.State = new ConversationState();
            DeactivateOnIdle();
            throw;
        }
        return new StartResult(await Save(), position);
    }

    /// <summary>An offer made while this conversation joined the queue, recorded in the same save; it rings once saved.</summary>
    private string? _ringFrom;

    /// <summary>One-way from the group: an agent reserved capacity for this conversation, which waited in the queue.</summary>
    public async ValueTask Offered(string agentId, string groupId, RoutingSettings settings)
    {
        if (S.Status != ConversationStatus.Queued || S.GroupId != groupId)
        {
            // Stale: the customer left or the conversation moved meanwhile.
            await Agent(agentId).Release(Key);
            return;
        }
        if (!await Agent(agentId).HoldsOffer(Key))
        {
            // The agent let the reservation go before this message arrived (forced offline, deleted): the offer
            // is void, and the conversation goes back to the front of its queue.
            await BackToQueueAsync();
            return;
        }
        TakeOffer(agentId, groupId, settings);
        await Save();
    }

    private void TakeOffer(string agentId, string groupId, RoutingSettings settings)
    {
        S.Offer(agentId, Now, settings.OfferTimeout);
        S.AfterCall = settings.AfterCall;
        S.KeepsLastAgent = settings.LastAgentPriority;
        _ringFrom = groupId;
    }

    private void Ring(string groupId)
    {
        ArmOffer(Now);
        events.OfferRinging(Tenant, S.AgentId!, Key, groupId, S.OfferDeadline);
    }

    /// <summary>AS-3: the agent answers the offer ringing at them.</summary>
    public async ValueTask<ConversationSnapshot> Answer(string agentId)
    {
        Require(ConversationStatus.Offered, ConversationTrigger.Answer, agentId);
        await Agent(agentId).Answer(Key);
        S.Answer(agentId, Now);
        var snapshot = await Save();
        Disarm(OfferTimer);
        // RT-3 remembers who served the visitor where it is on; elsewhere nobody would ask.
        if (S.KeepsLastAgent) _ = GrainFactory.Visitor(Tenant, S.VisitorId).ServedBy(agentId);
        return snapshot;
    }

    /// <summary>The agent ends the conversation (结束会话 / hang up).</summary>
    public async ValueTask<ConversationSnapshot> End(string agentId)
    {
        Require(ConversationStatus.Active, ConversationTrigger.End, agentId);
        await Agent(agentId).End(Key, S.AfterCall ?? AfterCallRule.Default);
        S.End(agentId, Now);
        var snapshot = await Save();
        Disarm(ReplyTimer);
        return snapshot;
    }

    /// <summary>AS-5: the agent completes an ended chat (完成会话); it leaves the agent's list.</summary>
    public async ValueTask<ConversationSnapshot> Complete(string agentId)
    {
        Require(ConversationStatus.Ended, ConversationTrigger.Complete, agentId);
        if (S.Mode.IsExclusive()) await Agent(agentId).Continue(Key);
        else await Agent(agentId).Complete(Key);
        return await Finish();
    }

    /// <summary>AS-6: after a call, the agent enters wrap-up instead of continuing.</summary>
    public async ValueTask<ConversationSnapshot> EnterWrapUp(string agentId)
    {
        Require(ConversationStatus.Ended, ConversationTrigger.Complete, agentId);
        await Agent(agentId).EnterWrapUp(Key, S.AfterCall ?? AfterCallRule.Default);
        return ConversationSnapshot.Of(S);
    }

    /// <summary>AS-6: wrap-up ended from the menu.</summary>
    public async ValueTask<ConversationSnapshot> FinishWrapUp(string agentId)
    {
        Require(ConversationStatus.Ended, ConversationTrigger.Complete, agentId);
        await Agent(agentId).FinishWrapUp(Key);
        return await Finish();
    }

    /// <summary>One-way from the agent: the after-call time ran out (AS-6, AS-7) or the agent was forced offline.</summary>
    public async ValueTask AfterCallDone(string agentId)
    {
        if (S.Status == ConversationStatus.Ended && S.AgentId == agentId) await Finish();
    }

    /// <summary>One-way from an agent forced offline: back to the front of the queue.</summary>
    public async ValueTask AgentLost(string agentId)
    {
        // Not with this agent (yet): an offer of it still on its way here is checked with the agent when it arrives.
        if (S.AgentId != agentId) return;
        if (S.Status == ConversationStatus.Ended)
        {
            await Finish();
            return;
        }
        if (S.Status is not (ConversationStatus.Offered or ConversationStatus.Active)) return;
        if (S.Status == ConversationStatus.Offered) events.OfferWithdrawn(Tenant, agentId, Key);
        S.Withdraw(Now);
        Disarm(OfferTimer);
        Disarm(ReplyTimer);
        await BackToQueueAsync();
    }

    /// <summary>One-way from a group that did not serve this conversation in time (RT-4 overflow).</summary>
    public async ValueTask Overflow(string fromGroupId, string targetGroupId)
    {
        if (S.Status != ConversationStatus.Queued || S.GroupId != fromGroupId) return;
        var now = Now;
        S.TransferTo(targetGroupId, now);
        try
        {
            await EnqueueIn(targetGroupId, front: false);
            await Save();
        }
        catch (SkillGroupUnavailableException)
        {
            // The overflow group cannot take it (deleted meanwhile): keep waiting where it was.
            S.TransferTo(fromGroupId, now);
            await BackToQueueAsync();
        }
    }

    /// <summary>The customer left: out of the queue, the offer withdrawn, or the agent moves to wrap-up.</summary>
    public async ValueTask<ConversationSnapshot> Abandon()
    {
        if (!S.Exists) throw new ConversationNotFoundException(Key);
        var agentId = S.AgentId;
        var waiting = S.Status is ConversationStatus.New or ConversationStatus.Queued or ConversationStatus.Offered;
        switch (S.Status)
        {
            case ConversationStatus.Queued:
                await Group(S.GroupId!).Dequeue(Key);
                break;
            case ConversationStatus.Offered:
                await Agent(agentId!).Release(Key);
                events.OfferWithdrawn(Tenant, agentId!, Key);
                Disarm(OfferTimer);
                break;
            case ConversationStatus.Active:
                // The agent may have been forced offline a moment ago: then nobody holds it any more.
                waiting = !await Agent(agentId!).EndIfActive(Key, S.AfterCall ?? AfterCallRule.Default);
                Disarm(ReplyTimer);
                break;
        }
        S.Abandon(Now);
        // Nobody holds a conversation that never got answered (or lost its agent): it is complete at once.
        if (waiting) S.Complete(Now);
        if (S.Status == ConversationStatus.Completed) return await Finish();
        return await Save();
    }

    /// <summary>
    /// A message in the conversation, numbered in it. A resend with the same client message id returns
    /// the first one's number and stores nothing. Returns the number and whether it was new.
    /// </summary>
    public async ValueTask<AppendResult> AppendMessage(MessageSender sender, string? agentId, string kind, string content, string? clientMessageId)
    {
        var (seq, isNew) = S.Append(sender, agentId, clientMessageId);
        var now = Now;
        if (!isNew)
        {
            // The state may have been stored without the message's record (a crash between the two): the
            // resend puts it on record under its first number; a record already there stays as it is.
            await history.MessageAppendedAsync(Tenant, new MessageRecord(Key, seq, sender, agentId, kind, content, now, clientMessageId));
            // The first one's pushes may have been lost with it: pushed again (the gateway and the workbench know it by its seq).
            if (sender == MessageSender.Agent && S.InFlow) _ = FlowRun().AgentMessage(seq, kind, content);
            PushToAgent(seq, sender, kind, content, now);
            return new AppendResult(seq, false);
        }
        var replyArmed = false;
        if (sender == MessageSender.Visitor && S.ReplyDeadline is not null)
        {
            // FL-5: the customer answered; the reply deadline is off.
            S.CustomerWrote();
            replyArmed = true;
        }
        // FL-5: after the agent's message, the customer has the flow End's reply timeout to answer.
        var deadlineMoved = replyArmed;
        if (sender == MessageSender.Agent && S.ReplyTimeout is { } replyTimeout)
        {
            S.AgentWrote(now, replyTimeout);
            deadlineMoved = true;
        }
        var record = history.MessageAppendedAsync(Tenant, new MessageRecord(Key, seq, sender, agentId, kind, content, now, clientMessageId));
        // The numbering and the recent client message ids are rebuilt from the records on activation (CatchUp): a
        // message alone is one write, its record; the state is written with it only when a deadline moved.
        if (deadlineMoved) await Together(State.WriteStateAsync(), record);
        else await record;
        if (replyArmed) Disarm(ReplyTimer);
        if (sender == MessageSender.Agent && S.ReplyDeadline is { } due) Arm(ReplyTimer, due);
        // The customer of a flow's channel gets the agent's words where the channel reaches them.
        if (sender == MessageSender.Agent && S.InFlow) _ = FlowRun().AgentMessage(seq, kind, content);
        PushToAgent(seq, sender, kind, content, now);
        return new AppendResult(seq, true);
    }

    /// <summary>The agent's workbenches show every message of the conversation (their own too, for their other tabs), once each by its number.</summary>
    private void PushToAgent(long seq, MessageSender sender, string kind, string content, DateTimeOffset at)
    {
        if (S.AgentId is not { } agentId) return;
        _ = Agent(agentId).Notify(new AgentPush(Tenant, agentId, AgentPush.MessageKindName, Key,
            Seq: seq, Sender: sender.ToString().ToLowerInvariant(), MessageKind: kind, Content: content, At: at));
    }

    /// <summary>FL-5: the agent wrote; without a reply within <paramref name="replyTimeout"/> the conversation ends.</summary>
    public async ValueTask AgentWrote(string agentId, TimeSpan? replyTimeout)
    {
        Require(ConversationStatus.Active, ConversationTrigger.ReplyTimeout, agentId);
        S.AgentWrote(Now, replyTimeout);
        await Save();
        if (S.ReplyDeadline is { } due) Arm(ReplyTimer, due);
    }

    public async ValueTask CustomerWrote()
    {
        if (!S.Exists) throw new ConversationNotFoundException(Key);
        var replyArmed = S.ReplyDeadline is not null;
        S.CustomerWrote();
        if (!replyArmed) return;
        await Save();
        Disarm(ReplyTimer);
    }

    /// <summary>A deadline came: AS-4 / RT-4 offer timeout, or FL-5 reply timeout. A late tick finds its deadline not yet due, or gone.</summary>
    public async ValueTask DeadlineDue(string name)
    {
        var now = Now;
        if (name == OfferTimer && S.Status == ConversationStatus.Offered && S.OfferDeadline <= now)
        {
            // AS-4 / RT-4: not answered in time: the agent goes on break, the conversation to another agent.
            var agentId = S.AgentId!;
            Disarm(OfferTimer);
            var held = await Agent(agentId).MissOffer(Key);
            if (held == WorkStage.Active)
            {
                // The answer reached the agent but not this record (a failure in between): it is answered.
                S.Answer(agentId, now);
                await Save();
                return;
            }
            events.OfferWithdrawn(Tenant, agentId, Key);
            if (held == WorkStage.Reserved) S.MissOffer(now);
            else S.Withdraw(now);
            await BackToQueueAsync();
        }
        else if (name == OfferTimer && S.Status == ConversationStatus.Offered && S.OfferDeadline is null)
        {
            await CheckOfferAsync(now);
        }
        else if (name == ReplyTimer && S.ReplyTimedOut(now))
        {
            Disarm(ReplyTimer);
            var ended = await Agent(S.AgentId!).EndIfActive(Key, S.AfterCall ?? AfterCallRule.Default);
            if (ended) await Save();
            else await Finish();
        }
    }

    /// <summary>
    /// RT-5: an offer without a deadline checks that its agent still holds it. Held: ask again later. Answered at the
    /// agent but not here (a save lost in between): it is answered. Neither: the agent let it go (an orphan released
    /// in a failover), so it goes back to the front of its queue.
    /// </summary>
    private async ValueTask CheckOfferAsync(DateTimeOffset now)
    {
        var agentId = S.AgentId!;
        var agent = Agent(agentId);
        if (await agent.HoldsOffer(Key))
        {
            ArmOffer(now);
            return;
        }
        Disarm(OfferTimer);
        if (await agent.Holds(Key))
        {
            S.Answer(agentId, now);
            await Save();
            return;
        }
        events.OfferWithdrawn(Tenant, agentId, Key);
        S.Withdraw(now);
        await BackToQueueAsync();
    }

    /// <summary>
    /// A waiting conversation read back from storage: its group may have lost it (it lived on a lost silo) or offered
    /// it to an agent in a step that was never stored; either way it takes its place again (RT-1, RT-5).
    /// </summary>
    private async Task RejoinQueueAsync()
    {
        try
        {
            var result = await Group(S.GroupId!).EnsureQueued(Request(front: true));
            S.QueueTicket = result.Ticket;
            if (result.AgentId is not { } agentId) return;
            TakeOffer(agentId, S.GroupId!, result.Settings!);
        }
        catch (SkillGroupUnavailableException)
        {
            S.CloseForGoneGroup(Now);
            await Finish();
            return;
        }
        await Save();
    }

    /// <summary>
    /// Back to the front of its group's queue; when the group is gone meanwhile, the conversation ends there. A flow's
    /// run that knew its agent hears that it waits again, and where.
    /// </summary>
    private async ValueTask BackToQueueAsync()
    {
        int position;
        try
        {
            position = await EnqueueIn(S.GroupId!, front: true);
        }
        catch (SkillGroupUnavailableException)
        {
            S.CloseForGoneGroup(Now);
            await Finish();
            return;
        }
        var tellRun = S.InFlow && S.FlowKnowsAgent is not null;
        if (tellRun) S.FlowKnowsAgent = null;
        await Save();
        if (tellRun) _ = FlowRun().BackInQueue(position);
    }

    /// <summary>Joins the group's queue; an agent who takes the conversation at once is recorded here and rings after the next save.</summary>
    private async ValueTask<int> EnqueueIn(string groupId, bool front, bool requireOnline = false)
    {
        var result = await Group(groupId).Enqueue(Request(front, requireOnline));
        S.QueueTicket = result.Ticket;
        if (result.AgentId is { } agentId) TakeOffer(agentId, groupId, result.Settings!);
        return result.Position;
    }

    private EnqueueRequest Request(bool front, bool requireOnline = false)
        => new(Key, S.VisitorId, S.Mode, S.QueuedAt ?? S.CreatedAt, S.ExcludedAgents.ToArray(), S.VisitedGroups.ToArray(), front, Watched: S.InFlow, requireOnline);

    /// <summary>The offer's timer: its AS-4 deadline, or without one the next check that the agent still holds it.</summary>
    private void ArmOffer(DateTimeOffset now) => Arm(OfferTimer, S.OfferDeadline ?? now + OfferCheckInterval);

    private void Arm(string name, DateTimeOffset due)
    {
        Disarm(name);
        var self = this.AsReference<IConversationGrain>();
        var timer = ArmTimer(due, () => self.DeadlineDue(name));
        if (name == OfferTimer) _offerTimer = timer;
        else _replyTimer = timer;
    }

    private void Disarm(string name)
    {
        ref var timer = ref name == OfferTimer ? ref _offerTimer : ref _replyTimer;
        timer?.Dispose();
        timer = null;
    }

    private void Require(ConversationStatus status, ConversationTrigger trigger, string agentId)
    {
        if (!S.Exists) throw new ConversationNotFoundException(Key);
        // Whose it is before what state it is in: an agent it is not with learns nothing of it.
        if (S.AgentId != agentId) throw new ConversationNotHeldException(agentId, Key);
        if (S.Status != status) throw new InvalidTransitionException(ConversationState.Machine.Name, S.Status.ToString(), trigger.ToString());
    }

    private async ValueTask<ConversationSnapshot> Finish()
    {
        if (S.Status != ConversationStatus.Completed) S.Complete(Now);
        var snapshot = ConversationSnapshot.Of(S);
        var tellRun = S.InFlow;
        // Live state goes; the storage keeps the conversation's record.
        await State.ClearStateAsync();
        Count();
        events.ConversationChanged(Tenant, snapshot);
        if (tellRun) _ = FlowRun().ConversationOver(snapshot.EndReason);
        DeactivateOnIdle();
        return snapshot;
    }

    /// <summary>
    /// Persists the state, moves the live counts and publishes the change; returns what was published. A flow's run
    /// is told, once each and after the save, of a new agent answering and of the conversation's end.
    /// </summary>
    private async ValueTask<ConversationSnapshot> Save()
    {
        var snapshot = ConversationSnapshot.Of(S);
        var ringFrom = _ringFrom;
        _ringFrom = null;
        var (inFlow, knowsAgent) = (S.InFlow, S.FlowKnowsAgent);
        var tellAgent = S.InFlow && S.Status == ConversationStatus.Active && S.AgentId != S.FlowKnowsAgent ? S.AgentId : null;
        var tellOver = S.InFlow && S.IsFinished;
        if (tellAgent is not null) S.FlowKnowsAgent = tellAgent;
        if (tellOver) S.InFlow = false;
        var saved = false;
        try
        {
            await State.WriteStateAsync();
            saved = true;
        }
        finally
        {
            if (!saved)
            {
                // An offer that was never stored must not hold the agent: the state goes back to what is stored.
                if (ringFrom is not null) _ = Agent(snapshot.AgentId!).Release(Key);
                (S.InFlow, S.FlowKnowsAgent) = (inFlow, knowsAgent);
            }
        }
        Count();
        events.ConversationChanged(Tenant, snapshot);
        if (ringFrom is not null) Ring(ringFrom);
        if (tellAgent is not null) _ = FlowRun().AgentConnected(tellAgent);
        if (tellOver) _ = FlowRun().ConversationOver(snapshot.EndReason);
        return snapshot;
    }

    private IFlowInstanceGrain FlowRun() => GrainFactory.FlowInstance(Tenant, Key);

    private void Count()
    {
        counters.MoveConversation(_counted, S.Status);
        _counted = S.Status;
    }

    /// <summary>A conversation calls its agent several times over (answer, end, complete): the reference is kept.</summary>
    private IAgentGrain Agent(string agentId)
    {
        if (_agent is { } agent && _agentId == agentId) return agent;
        _agentId = agentId;
        return _agent = GrainFactory.Agent(Tenant, agentId);
    }

    private ISkillGroupGrain Group(string groupId) => GrainFactory.SkillGroup(Tenant, groupId);
}

[GenerateSerializer]
public sealed class ConversationNotFoundException(string conversationId)
    : DomainException($"Conversation {conversationId} does not exist.");
