using Engine.Agents;
using Engine.Grains.Runtime;
using Engine.Routing;

namespace Engine.Grains.Routing;

/// <summary>
/// One skill group: its FIFO queue (RT-1) and its view of the members' availability. Offers go out as
/// reservations at the agent grain (awaited, down); the conversation hears of its offer one-way.
/// </summary>
public sealed class SkillGroupGrain(IEngineEvents events) : RoutingGrain<SkillGroupState>
{
    private IPersistentState<SkillGroupQueueState> _queueState = null!;
    private GroupQueue _queue = new();
    private AgentPool _pool = new(LongestIdlePolicy.Instance);
    private readonly Dictionary<string, int> _positions = new(StringComparer.Ordinal);
    private IDisposable? _overflowTimer;
    private DateTimeOffset? _overflowAt;
    private bool _queueChanged;

    private SkillGroupState S => State.State;

    protected internal override bool KeepAlive => _queue.Count > 0 || _pool.OnlineCount > 0;

    public override async ValueTask OnActivateAsync(CancellationToken cancellationToken)
    {
        _queueState = await OpenStateAsync<SkillGroupQueueState>("queue");
        _queue = new GroupQueue(_queueState.State.Entries);
        _pool = new AgentPool(AllocationPolicies.For(S.Settings.Policy));
        foreach (var member in S.Members)
        {
            _pool.AddMember(member);
            _pool.Update(await Agent(member).Call(Key, static (a, g) => a.GetAvailability(g)));
        }
        await AfterQueueWork();
        ArmOverflow();
        await Dispatch();
    }

    public ValueTask<SkillGroupSnapshot> GetSnapshot() => new(new SkillGroupSnapshot(
        Key, S.Mode, S.ReceptionCap, S.Settings, [.. S.Members], [.. _queue.Entries.Select(e => e.ConversationId)],
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
            foreach (var member in S.Members) _pool.Update(await Agent(member).Call((Key, mode, cap), static (a, m) => a.JoinGroup(m.Key, m.mode, m.cap)));
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
        var report = await Agent(agentId).Call((Key, S.Mode, S.ReceptionCap), static (a, m) => a.JoinGroup(m.Key, m.Mode, m.ReceptionCap));
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
        await Agent(agentId).Call(Key, static (a, g) => a.LeaveGroup(g));
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
            await Agent(member).Call(Key, static (a, g) => a.LeaveGroup(g));
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
        string? lastAgent = null;
        if (S.Settings.LastAgentPriority)
            lastAgent = await GetGrain<VisitorGrain>(request.VisitorId).Call(static v => v.LastAgent());
        var entry = new QueueEntry(request.ConversationId, request.VisitorId, request.EnqueuedAt, request.Excluded, request.Visited, lastAgent);
        if (request.Front) _queue.EnqueueFront(entry);
        else _queue.Enqueue(entry);
        _queueChanged = true;
        var agentId = await Dispatch(request.ConversationId);
        return agentId is null ? new EnqueueResult(_queue.PositionOf(request.ConversationId), null, null) : new EnqueueResult(-1, agentId, S.Settings);
    }

    /// <summary>RT-6: how many conversations wait ahead of this one; -1 when it is not in this queue.</summary>
    public ValueTask<int> PositionOf(string conversationId) => new(_queue.PositionOf(conversationId));

    /// <summary>The customer left while queued. False when the conversation was no longer in the queue (an offer is on its way).</summary>
    public async ValueTask<bool> Dequeue(string conversationId)
    {
        if (_queue.Remove(conversationId) is null) return false;
        _queueChanged = true;
        await AfterQueueWork();
        return true;
    }

    /// <summary>One-way from a member agent whose availability changed.</summary>
    public async ValueTask AgentAvailabilityChanged(AgentAvailability report)
    {
        var wasOnline = _pool.Find(report.AgentId)?.Online == true;
        if (!_pool.Update(report)) return;
        // A member gone offline can leave only agents who missed an offer online: they are eligible again (AgentPool.PickFor).
        if (report.CanTake || (wasOnline && !report.Online)) await Dispatch();
    }

    /// <summary>Offers what it can; the offer of <paramref name="caller"/>'s conversation is returned to it instead of told. Returns that agent.</summary>
    private async ValueTask<string?> Dispatch(string? caller = null)
    {
        string? callerAgent = null;
        while (Dispatcher.Propose(_queue, _pool, S.Settings.LastAgentPriority) is { } proposal)
        {
            var conversationId = proposal.Entry.ConversationId;
            var (outcome, availability) = await Agent(proposal.AgentId).Call((conversationId, Key), static (a, r) => a.TryReserve(r.conversationId, r.Key));
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
            // Told also to the caller, which ignores it once saved: if the caller gave up waiting (a call
            // timeout), this is how the conversation hears of the reservation and lets the agent go.
            GetGrain<ConversationGrain>(conversationId).Tell((proposal.AgentId, Key, S.Settings), static (c, o) => c.Offered(o.AgentId, o.Key, o.Settings));
        }
        await AfterQueueWork();
        return callerAgent;
    }

    /// <summary>Persists the queue if it changed, tells visitors their new positions (RT-6), re-arms the overflow check.</summary>
    private async ValueTask AfterQueueWork()
    {
        if (!_queueChanged) return;
        _queueChanged = false;
        // Offered at once: the queue is as empty as it was stored, so there is nothing to write.
        if (_queue.Count > 0 || _queueState.State.Entries.Count > 0)
        {
            _queueState.State.Entries = [.. _queue.Entries];
            await _queueState.WriteStateAsync();
        }
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
        var delay = due - Time.GetUtcNow();
        _overflowTimer = RegisterTimer(OverflowTick, delay < TimeSpan.Zero ? TimeSpan.Zero : delay, Timeout.InfiniteTimeSpan);
    }

    /// <summary>RT-4 (online): conversations this group did not serve within T move to an overflow group.</summary>
    private async ValueTask OverflowTick()
    {
        _overflowAt = null;
        _overflowTimer?.Dispose();
        _overflowTimer = null;
        if (S.Settings.OfferTimeout is not { } wait) return;
        foreach (var move in Dispatcher.DueOverflows(_queue, Time.GetUtcNow(), wait, S.Settings.OverflowGroupIds))
        {
            _queue.Remove(move.Entry.ConversationId);
            _queueChanged = true;
            GetGrain<ConversationGrain>(move.Entry.ConversationId).Tell((Key, move.TargetGroupId), static (c, m) => c.Overflow(m.Key, m.TargetGroupId));
        }
        _queueChanged = true;
        await AfterQueueWork();
    }

    private void EnsureUsable()
    {
        if (S.Deleted) throw new SkillGroupUnavailableException(Key, "was deleted");
        if (!S.Configured) throw new SkillGroupUnavailableException(Key, "does not exist");
    }

    private GrainRef<AgentGrain> Agent(string agentId) => GetGrain<AgentGrain>(agentId);
}
