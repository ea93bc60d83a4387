using Engine.Agents;
using Engine.Grains.Hosting;
using Engine.Grains.Storage;
using Engine.Routing;

namespace Engine.Grains.Routing;

/// <summary>
/// One skill group: its FIFO queue (RT-1) and its view of the members' availability. Offers go out as
/// reservations at the agent grain (awaited, down). The queue is not stored here: a waiting conversation
/// stores itself as queued in this group, and the queue is rebuilt from those when the group activates.
/// </summary>
[GrainType(TypeName)]
public sealed class SkillGroupGrain(
    [PersistentState("state", EngineGrainStorage.Name)] IPersistentState<SkillGroupState> state,
    TimeProvider time,
    IEngineEvents events,
    ILiveConversations live)
    : EngineGrain<SkillGroupState>(state, time), ISkillGroupGrain
{
    public const string TypeName = nameof(SkillGroupGrain);

    private GroupQueue _queue = new();
    private long _lastTicket;
    private AgentPool _pool = new(LongestIdlePolicy.Instance);
    private readonly Dictionary<string, int> _positions = new(StringComparer.Ordinal);
    private IDisposable? _overflowTimer;
    private DateTimeOffset? _overflowAt;
    private bool _queueChanged;

    private SkillGroupState S => State.State;

    public override bool KeepAlive => _queue.Count > 0 || _pool.OnlineCount > 0;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (S.Configured && !S.Deleted)
        {
            foreach (var waiting in (await live.QueuedInAsync(Tenant, Key, cancellationToken)).OrderBy(c => c.QueueTicket))
            {
                var lastAgent = S.Settings.LastAgentPriority ? await Visitor(waiting.VisitorId).LastAgent() : null;
                _queue.Enqueue(new QueueEntry(
                    waiting.Id, waiting.VisitorId, waiting.QueuedAt ?? waiting.CreatedAt, waiting.ExcludedAgents.ToArray(), waiting.VisitedGroups.ToArray(), lastAgent, waiting.QueueTicket, waiting.InFlow));
                _lastTicket = Math.Max(_lastTicket, waiting.QueueTicket);
            }
        }
        _pool = new AgentPool(AllocationPolicies.For(S.Settings.Policy));
        foreach (var member in S.Members)
        {
            // The group owns its mode and cap; each member's copy is told again, so a change that reached the group
            // but not every member before a failure reaches them now.
            _pool.AddMember(member);
            _pool.Update(await Agent(member).JoinGroup(Key, S.Mode, S.ReceptionCap));
        }
        _queueChanged = _queue.Count > 0;
        await Dispatch();
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _overflowTimer?.Dispose();
        return Task.CompletedTask;
    }

    public ValueTask Wake() => default;

    public ValueTask<SkillGroupSnapshot> GetSnapshot() => new(new SkillGroupSnapshot(
        Key, S.Mode, S.ReceptionCap, S.Settings, S.Members.ToArray(), _queue.Entries.Select(e => e.ConversationId).ToArray(),
        _pool.AvailableCount, _pool.OnlineCount, S.Deleted));

    /// <summary>Creates or reconfigures the group. The mode is fixed at creation (SG-1); caps follow SG-3.</summary>
    public async ValueTask Configure(ServiceMode mode, int receptionCap, RoutingSettings settings)
    {
        if (S.Deleted) throw new SkillGroupUnavailableException(Key, "was deleted");
        if (S.Configured && S.Mode != mode) throw new SkillGroupUnavailableException(Key, $"is {S.Mode}: the service mode is fixed at creation");
        if (mode == ServiceMode.Online && receptionCap < 1) throw new RoutingSettingsException("receptionCap", "must be at least 1");
        settings.Validated();
        var cap = mode.EffectiveCap(receptionCap);
        // Members first, the group's own record last: a failure part-way leaves the old record, and a retry redoes it all.
        if (S.Configured && cap != S.ReceptionCap)
        {
            foreach (var member in S.Members) _pool.Update(await Agent(member).JoinGroup(Key, mode, cap));
        }
        S.Configured = true;
        S.Mode = mode;
        S.ReceptionCap = cap;
        S.Settings = settings;
        await State.WriteStateAsync();
        _pool.SetPolicy(AllocationPolicies.For(settings.Policy));
        ArmOverflow();
        await Dispatch();
    }

    /// <summary>SG-4: adds a member; they can be offered this group's conversations at once.</summary>
    public async ValueTask AddMember(string agentId)
    {
        EnsureUsable();
        // The agent first (joining twice is harmless), then the member list: a retry after a failure completes it.
        var report = await Agent(agentId).JoinGroup(Key, S.Mode, S.ReceptionCap);
        if (!S.Members.Contains(agentId))
        {
            S.Members.Add(agentId);
            await State.WriteStateAsync();
        }
        _pool.AddMember(agentId);
        _pool.Update(report);
        await Dispatch();
    }

    /// <summary>The agent keeps the conversations they hold and gets no new ones from this group.</summary>
    public async ValueTask RemoveMember(string agentId)
    {
        await Agent(agentId).LeaveGroup(Key);
        _pool.RemoveMember(agentId);
        if (S.Members.Remove(agentId)) await State.WriteStateAsync();
        // One online member fewer: agents who missed an offer may be eligible again.
        await Dispatch();
    }

    /// <summary>SG-5: members leave the group and stay agents. Refused while conversations wait in the queue.</summary>
    public async ValueTask Delete()
    {
        if (S.Deleted) return;
        if (_queue.Count > 0) throw new SkillGroupUnavailableException(Key, $"has {_queue.Count} queued conversation(s); it can be deleted once its queue is empty");
        foreach (var member in S.Members)
        {
            await Agent(member).LeaveGroup(Key);
            _pool.RemoveMember(member);
        }
        S.Deleted = true;
        S.Members.Clear();
        await State.WriteStateAsync();
    }

    /// <summary>RT-1: joins the queue (at the back, or at the front after a failed offer). Returns the position, or the agent who took it at once.</summary>
    public async ValueTask<EnqueueResult> Enqueue(EnqueueRequest request)
    {
        EnsureUsable();
        if (request.Mode != S.Mode) throw new SkillGroupUnavailableException(Key, $"serves {S.Mode} conversations, not {request.Mode}");
        // FL-4: a flow's transfer does not wait in a group nobody of which is online.
        if (request.RequireOnline && _pool.OnlineCount == 0) throw new NoAgentOnlineException(Key);
        string? lastAgent = null;
        if (S.Settings.LastAgentPriority)
            lastAgent = await Visitor(request.VisitorId).LastAgent();
        var ticket = request.Front && _queue.Count > 0 ? _queue.Entries.First().Ticket - 1 : ++_lastTicket;
        var entry = new QueueEntry(request.ConversationId, request.VisitorId, request.EnqueuedAt, request.Excluded, request.Visited, lastAgent, ticket, request.Watched);
        if (request.Front) _queue.EnqueueFront(entry);
        else _queue.Enqueue(entry);
        _queueChanged = true;
        var agentId = await Dispatch(request.ConversationId);
        return agentId is null ? new EnqueueResult(_queue.PositionOf(request.ConversationId), null, null, ticket) : new EnqueueResult(-1, agentId, S.Settings, ticket);
    }

    public async ValueTask<EnqueueResult> EnsureQueued(EnqueueRequest request)
    {
        EnsureUsable();
        if (_queue.Entries.FirstOrDefault(e => e.ConversationId == request.ConversationId) is { } queued)
            return new EnqueueResult(_queue.PositionOf(request.ConversationId), null, null, queued.Ticket);
        await Task.WhenAll(S.Members.Select(member => Agent(member).Release(request.ConversationId).AsTask()));
        return await Enqueue(request);
    }

    /// <summary>RT-6: how many conversations wait ahead of this one; -1 when it is not in this queue.</summary>
    public ValueTask<int> PositionOf(string conversationId) => new(_queue.PositionOf(conversationId));

    /// <summary>The customer left while queued. False when the conversation was no longer in the queue (an offer is on its way).</summary>
    public ValueTask<bool> Dequeue(string conversationId)
    {
        if (_queue.Remove(conversationId) is null) return new(false);
        _queueChanged = true;
        AfterQueueWork();
        return new(true);
    }

    /// <summary>One-way from a member agent whose availability changed.</summary>
    public async ValueTask AgentAvailabilityChanged(AgentAvailability report)
    {
        var wasOnline = _pool.Find(report.AgentId)?.Online == true;
        if (!_pool.Update(report)) return;
        // A member gone offline can leave only agents who missed an offer online: they are eligible again (AgentPool.PickFor).
        if (report.CanTake || (wasOnline && !report.Online)) await Dispatch();
    }

    /// <summary>
    /// Offers what it can. The conversation that is enqueuing (<paramref name="caller"/>) gets its offer in the reply;
    /// the others, which wait in the queue, are told one-way. Returns the caller's agent.
    /// </summary>
    private async ValueTask<string?> Dispatch(string? caller = null)
    {
        string? callerAgent = null;
        while (Dispatcher.Propose(_queue, _pool, S.Settings.LastAgentPriority) is { } proposal)
        {
            var conversationId = proposal.Entry.ConversationId;
            var (outcome, availability) = await Agent(proposal.AgentId).TryReserve(conversationId, Key);
            _pool.Update(availability);
            if (outcome != ReserveOutcome.Reserved)
            {
                // The agent said no but our view still says yes: trust the agent until it reports again.
                _pool.MarkUnavailable(proposal.AgentId);
                continue;
            }
            _queue.Remove(conversationId);
            _queueChanged = true;
            _pool.RecordOffer(proposal.AgentId);
            if (conversationId == caller) callerAgent = proposal.AgentId;
            else _ = Conversation(conversationId).Offered(proposal.AgentId, Key, S.Settings);
        }
        AfterQueueWork();
        return callerAgent;
    }

    /// <summary>Tells visitors their new positions (RT-6) and re-arms the overflow check.</summary>
    private void AfterQueueWork()
    {
        if (!_queueChanged) return;
        _queueChanged = false;
        if (_queue.Count == 0) _positions.Clear();
        else TellPositions();
        ArmOverflow();
    }

    private void TellPositions()
    {
        var position = 0;
        foreach (var entry in _queue.Entries)
        {
            if (!_positions.TryGetValue(entry.ConversationId, out var last) || last != position)
            {
                _positions[entry.ConversationId] = position;
                events.QueuePositionChanged(Tenant, entry.ConversationId, Key, position);
                if (entry.Watched) _ = GrainFactory.FlowInstance(Tenant, entry.ConversationId).QueuePositionChanged(position);
            }
            position++;
        }
        if (_positions.Count > _queue.Count)
        {
            foreach (var gone in _positions.Keys.Where(k => !_queue.Contains(k)).ToList()) _positions.Remove(gone);
        }
    }

    private void ArmOverflow()
    {
        DateTimeOffset? next = S.Mode == ServiceMode.Online && S.Settings.OfferTimeout is { } wait
            ? Dispatcher.NextOverflowCheck(_queue, wait, S.Settings.OverflowGroupIds)
            : null;
        if (next == _overflowAt) return;
        _overflowTimer?.Dispose();
        _overflowTimer = null;
        _overflowAt = next;
        if (next is not { } due) return;
        var self = this.AsReference<ISkillGroupGrain>();
        _overflowTimer = ArmTimer(due, () => self.OverflowDue());
    }

    /// <summary>RT-4 (online): conversations this group did not serve within T move to an overflow group.</summary>
    public ValueTask OverflowDue()
    {
        _overflowAt = null;
        _overflowTimer?.Dispose();
        _overflowTimer = null;
        if (S.Settings.OfferTimeout is not { } wait) return default;
        foreach (var move in Dispatcher.DueOverflows(_queue, Now, wait, S.Settings.OverflowGroupIds))
        {
            _queue.Remove(move.Entry.ConversationId);
            _queueChanged = true;
            _ = Conversation(move.Entry.ConversationId).Overflow(Key, move.TargetGroupId);
        }
        _queueChanged = true;
        AfterQueueWork();
        return default;
    }

    private void EnsureUsable()
    {
        if (S.Deleted) throw new SkillGroupUnavailableException(Key, "was deleted");
        if (!S.Configured) throw new SkillGroupUnavailableException(Key, "does not exist");
    }

    private IAgentGrain Agent(string agentId) => GrainFactory.Agent(Tenant, agentId);

    private IConversationGrain Conversation(string conversationId) => GrainFactory.Conversation(Tenant, conversationId);

    private IVisitorGrain Visitor(string visitorId) => GrainFactory.Visitor(Tenant, visitorId);
}
