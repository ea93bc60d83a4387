using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Engine.Agents;
using Engine.Grains.Hosting;
using Engine.Grains.Storage;
using Engine.Routing;

namespace Engine.Grains.Routing;

/// <summary>
/// One agent. The only place that decides whether the agent takes a conversation (the reservation),
/// so an agent in many groups is never over-assigned. Tells its groups, one-way, whenever its
/// availability changes. Its work (the conversations it holds) is the live conversations' to record:
/// it is rebuilt from them on activation and never stored here.
/// </summary>
[GrainType(nameof(AgentGrain))]
public sealed class AgentGrain(
    [PersistentState("state", EngineGrainStorage.Name)] IPersistentState<AgentState> state,
    TimeProvider time,
    IEngineEvents events,
    IEngineHistory history,
    ILiveConversations live,
    EngineCounters counters)
    : EngineGrain<AgentState>(state, time), IAgentGrain
{
    /// <summary>The agent's workbenches, made with the first subscription: an agent working through the API alone keeps one empty field.</summary>
    private Workbenches? _workbenches;

    private ToldGroup[] _told = [];
    private AgentStatus _status;
    private DateTimeOffset? _armedDeadline;
    private IDisposable? _deadlineTimer;

    private AgentState S => State.State;

    public override bool KeepAlive => (!S.Deleted && S.Presence != Presence.Offline) || S.Work.Count > 0 || _workbenches?.Listeners?.Any() == true;

    /// <summary>The servers holding the agent's workbench connections, and since when none has (the presence grace).</summary>
    private sealed class Workbenches(PresenceSettings settings)
    {
        public Listeners<IAgentObserver>? Listeners;
        public readonly TimeSpan Grace = settings.Grace;
        public DateTimeOffset? AloneSince;
        public IDisposable? Check;
    }

    public ValueTask Subscribe(IAgentObserver observer)
    {
        var workbenches = _workbenches ??= new Workbenches(ServiceProvider.GetService<PresenceSettings>() ?? PresenceSettings.Default);
        Listeners<IAgentObserver>.Subscribe(ref workbenches.Listeners, observer, ServiceProvider.GetRequiredService<ILogger<AgentGrain>>, Time);
        // Back within the grace (or first here): nothing changes. The next look is when this subscription could lapse.
        if (workbenches.AloneSince is not null || workbenches.Check is null)
        {
            workbenches.AloneSince = null;
            CheckWorkbenchesIn(Listeners<IAgentObserver>.Lifetime);
        }
        return default;
    }

    public ValueTask Unsubscribe(IAgentObserver observer)
    {
        if (_workbenches is not { Listeners: { } listeners } workbenches) return default;
        listeners.Unsubscribe(observer);
        if (!listeners.Any() && workbenches.AloneSince is null)
        {
            workbenches.AloneSince = Now;
            CheckWorkbenchesIn(workbenches.Grace);
        }
        return default;
    }

    /// <summary>
    /// The agent's last workbench went (closed, or its server stopped renewing): after the grace the agent goes offline,
    /// and their offers and chats go back to the front of their queues. A workbench back in time changes nothing.
    /// </summary>
    public async ValueTask CheckWorkbenches()
    {
        if (_workbenches is not { } workbenches) return;
        workbenches.Check?.Dispose();
        workbenches.Check = null;
        var now = Now;
        if (workbenches.Listeners?.Any() == true)
        {
            workbenches.AloneSince = null;
            CheckWorkbenchesIn(Listeners<IAgentObserver>.Lifetime);
            return;
        }
        workbenches.AloneSince ??= now;
        var left = workbenches.AloneSince.Value + workbenches.Grace - now;
        if (left > TimeSpan.Zero)
        {
            CheckWorkbenchesIn(left);
            return;
        }
        _workbenches = null;
        if (!S.Deleted && S.Presence != Presence.Offline) await GoOffline(force: true, AgentPush.ConnectionLostReason);
    }

    private void CheckWorkbenchesIn(TimeSpan dueIn)
    {
        var workbenches = _workbenches!;
        workbenches.Check?.Dispose();
        var self = this.AsReference<IAgentGrain>();
        workbenches.Check = ArmTimer(Now + dueIn, () => self.CheckWorkbenches());
    }

    public ValueTask Notify(AgentPush push)
    {
        Push(push);
        return default;
    }

    private void Push(AgentPush push)
    {
        _workbenches?.Listeners?.Tell(o => o.Pushed(push));
    }

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (S.AgentId.Length == 0) S.AgentId = Key;
        S.Work.Clear();
        foreach (var conversation in await live.HeldByAsync(Tenant, Key, cancellationToken))
        {
            if (WorkItem.HeldIn(conversation) is { } item) S.Work[item.ConversationId] = item;
        }
        // Idle since the last change of the work, as far as the live conversations tell (a completed one no longer does).
        foreach (var item in S.Work.Values) if (item.Since > S.IdleSince) S.IdleSince = item.Since;
        // The version moved on in memory only while the work changed: this activation's reports must be newer
        // than anything a group heard from an earlier one, or the group would take them for stale ones.
        S.Version = Math.Max(S.Version + 1, Now.UtcTicks);
        _status = S.Status();
        counters.MoveAgent(null, _status);
        ArmDeadline();
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _deadlineTimer?.Dispose();
        _workbenches?.Check?.Dispose();
        counters.MoveAgent(_status, null);
        return Task.CompletedTask;
    }

    public ValueTask<AgentSnapshot> GetSnapshot() => new(Snapshot());

    /// <summary>The agent as stored, and since when their last workbench has been away (the presence grace running).</summary>
    private AgentSnapshot Snapshot() => AgentSnapshot.Of(S) with { WorkbenchAwaySince = _workbenches?.AloneSince };

    public ValueTask<AgentAvailability> GetAvailability(string groupId) => new(Told(groupId));

    public ValueTask GoOnline() => Change(static (s, now) => s.GoOnline(now), "online");

    public ValueTask StartBreak() => Change(static (s, now) => s.StartBreak(now), "break");

    public ValueTask EndBreak() => Change(static (s, now) => s.EndBreak(now), "break-ended");

    /// <summary>Refused while holding conversations unless forced; forced, they go back to their queues.</summary>
    public ValueTask GoOffline(bool force) => GoOffline(force, force ? "offline-forced" : "offline");

    private async ValueTask GoOffline(bool force, string reason)
    {
        IReadOnlyList<WorkItem> released = [];
        await Change((s, now) => released = s.GoOffline(now, force), reason);
        foreach (var item in released) _ = Conversation(item.ConversationId).AgentLost(Key);
    }

    /// <summary>
    /// AS-2: the presence the agent asks for (online, break, offline), whatever they have now; asking for
    /// the presence they have changes nothing. Returns where they are after.
    /// </summary>
    public async ValueTask<AgentSnapshot> SetPresence(Presence wanted, bool force)
    {
        if (S.Presence != wanted)
        {
            var change = wanted switch
            {
                Presence.Online when S.Presence == Presence.Break => EndBreak(),
                Presence.Online => GoOnline(),
                Presence.Break => StartBreak(),
                _ => GoOffline(force),
            };
            await change;
        }
        return Snapshot();
    }

    /// <summary>
    /// The group's mode and cap as this agent's membership (SG-3, SG-4), told by the group, which owns them: at a join,
    /// at a change of cap, and whenever the group activates. Telling what the agent already has changes nothing.
    /// </summary>
    public async ValueTask<AgentAvailability> JoinGroup(string groupId, ServiceMode mode, int cap)
    {
        if (S.Groups.TryGetValue(groupId, out var membership) && membership == new Membership(mode, mode.EffectiveCap(cap))) return Told(groupId);
        S.Join(groupId, mode, cap);
        await Commit(Now, "joined-group", notifyGroupsExcept: groupId);
        return Told(groupId);
    }

    public async ValueTask LeaveGroup(string groupId)
    {
        if (!S.Groups.ContainsKey(groupId)) return;
        S.Leave(groupId);
        Forget(groupId);
        await Commit(Now, "left-group", notifyGroupsExcept: groupId);
    }

    public ValueTask Delete() => Change(static (s, now) => s.Delete(now), "deleted");

    /// <summary>The reservation: the agent alone decides. Returns the outcome and the agent's availability for that group.</summary>
    public async ValueTask<Reservation> TryReserve(string conversationId, string groupId)
    {
        var now = Now;
        var outcome = S.TryReserve(conversationId, groupId, now);
        if (outcome == ReserveOutcome.Reserved)
        {
            await Commit(now, "offered", notifyGroupsExcept: groupId, workOnly: true);
            return new Reservation(outcome, Told(groupId));
        }
        // The group now holds this agent unavailable: make sure it hears of the next change, whatever it is.
        Forget(groupId);
        return new Reservation(outcome, S.AvailabilityFor(groupId));
    }

    public ValueTask<bool> HoldsOffer(string conversationId)
        => new(S.Work.TryGetValue(conversationId, out var item) && item.Stage == WorkStage.Reserved);

    public ValueTask<bool> Holds(string conversationId) => new(S.Work.ContainsKey(conversationId));

    /// <summary>
    /// The steps a conversation asks of its agent are idempotent: a step whose conversation was not stored after it (a
    /// lost silo, a failed write) is asked again, and finding it already done is not a refusal.
    /// </summary>
    public ValueTask Answer(string conversationId)
        => Holds(conversationId, WorkStage.Active) ? default : Work(conversationId, static (s, id, now) => s.Answer(id, now), "answered");

    /// <summary>
    /// AS-4: the offer timed out. Returns the stage the agent held the conversation in: Reserved (now
    /// missed: the agent is on break), Active (the answer got here first: nothing changes), or null.
    /// </summary>
    public async ValueTask<WorkStage?> MissOffer(string conversationId)
    {
        if (!S.Work.TryGetValue(conversationId, out var item)) return null;
        if (item.Stage != WorkStage.Reserved) return item.Stage;
        await Change(conversationId, static (s, id, now) => s.MissOffer(id, now), "missed-offer");
        return WorkStage.Reserved;
    }

    /// <summary>The customer left or stopped replying: an active conversation ends here; false when the agent no longer held it active.</summary>
    public async ValueTask<bool> EndIfActive(string conversationId, AfterCallRule afterCall)
    {
        if (!S.Work.TryGetValue(conversationId, out var item) || item.Stage != WorkStage.Active) return false;
        await End(conversationId, afterCall);
        return true;
    }

    /// <summary>The conversation left the agent from outside; false when the agent no longer held it.</summary>
    public async ValueTask<bool> Release(string conversationId)
    {
        if (!S.Work.ContainsKey(conversationId)) return false;
        await Work(conversationId, static (s, id, now) => s.Release(id, now), "released");
        return true;
    }

    public ValueTask End(string conversationId, AfterCallRule afterCall)
        => Holds(conversationId, WorkStage.Ended, WorkStage.AfterCall, WorkStage.WrappingUp)
            ? default
            : Work((conversationId, afterCall), static (s, a, now) => s.End(a.conversationId, now, a.afterCall), "ended");

    public ValueTask Complete(string conversationId)
        => S.Work.ContainsKey(conversationId) ? Work(conversationId, static (s, id, now) => s.Complete(id, now), "completed") : default;

    public ValueTask Continue(string conversationId)
        => S.Work.ContainsKey(conversationId) ? Work(conversationId, static (s, id, now) => s.Continue(id, now), "continued") : default;

    public ValueTask EnterWrapUp(string conversationId, AfterCallRule afterCall) => Work((conversationId, afterCall), static (s, a, now) => s.EnterWrapUp(a.conversationId, now, a.afterCall), "wrap-up");

    public ValueTask FinishWrapUp(string conversationId)
        => S.Work.ContainsKey(conversationId) ? Work(conversationId, static (s, id, now) => s.FinishWrapUp(id, now), "wrap-up-finished") : default;

    private bool Holds(string conversationId, params WorkStage[] stages) => S.Work.TryGetValue(conversationId, out var item) && stages.Contains(item.Stage);

    /// <summary>AS-6 / AS-7: after-call deadlines return the agent to Idle and complete those conversations.</summary>
    public async ValueTask DeadlineDue()
    {
        _armedDeadline = null;
        var now = Now;
        var recovered = S.Work.Values.Where(w => w.Deadline <= now).Select(w => w.ConversationId).ToList();
        var any = false;
        foreach (var id in recovered) any |= S.Recover(id, now);
        if (any) await Commit(now, "status-recovered", workOnly: true);
        else ArmDeadline();
        foreach (var id in recovered) _ = Conversation(id).AfterCallDone(Key);
    }

    private ValueTask Change(Action<AgentState, DateTimeOffset> transition, string reason)
        => Change(transition, static (s, t, now) => t(s, now), reason);

    private async ValueTask Change<TArg>(TArg arg, Action<AgentState, TArg, DateTimeOffset> transition, string reason)
    {
        var now = Now;
        transition(S, arg, now);
        await Commit(now, reason);
    }

    /// <summary>A change of the work alone (a conversation moving in the agent's hands), which the conversation records.</summary>
    private async ValueTask Work<TArg>(TArg arg, Action<AgentState, TArg, DateTimeOffset> transition, string reason)
    {
        var now = Now;
        transition(S, arg, now);
        await Commit(now, reason, workOnly: true);
    }

    /// <summary>
    /// Stores the state (unless only the work changed: the conversation's own save records that), records a
    /// status change, and tells the groups what changed for them.
    /// </summary>
    private async ValueTask Commit(DateTimeOffset now, string reason, string? notifyGroupsExcept = null, bool workOnly = false)
    {
        var status = S.Status();
        var stateWrite = workOnly ? Task.CompletedTask : State.WriteStateAsync();
        var record = status != _status ? history.AgentStatusChangedAsync(Tenant, Key, _status, status, reason, now) : default;
        await Together(stateWrite, record);
        if (status != _status)
        {
            counters.MoveAgent(_status, status);
            events.AgentStatusChanged(Tenant, Key, _status, status, reason, now);
            Push(new AgentPush(Tenant, Key, AgentPush.StatusKind, Status: status.ToString(), Reason: reason));
            _status = status;
        }
        foreach (var groupId in S.Groups.Keys)
        {
            if (groupId == notifyGroupsExcept) continue;
            var report = S.AvailabilityFor(groupId);
            var last = ToldIndex(groupId);
            if (last >= 0 && !_told[last].Differs(report)) continue;
            Remember(groupId, report);
            _ = GrainFactory.SkillGroup(Tenant, groupId).AgentAvailabilityChanged(report);
        }
        ArmDeadline();
    }

    /// <summary>The report a group gets in a reply, remembered as told.</summary>
    private AgentAvailability Told(string groupId)
    {
        var report = S.AvailabilityFor(groupId);
        Remember(groupId, report);
        return report;
    }

    private void Remember(string groupId, AgentAvailability report)
    {
        var told = new ToldGroup(groupId, report.Online, report.CanTake, report.Load, report.IdleSince);
        var index = ToldIndex(groupId);
        if (index >= 0)
        {
            _told[index] = told;
            return;
        }
        Array.Resize(ref _told, _told.Length + 1);
        _told[^1] = told;
    }

    /// <summary>A loop rather than <c>Array.FindIndex</c>, whose capturing predicate cost an allocation per group on every change.</summary>
    private int ToldIndex(string groupId)
    {
        for (var i = 0; i < _told.Length; i++)
        {
            if (_told[i].GroupId == groupId) return i;
        }
        return -1;
    }

    private void Forget(string groupId) => _told = Array.FindAll(_told, t => t.GroupId != groupId);

    /// <summary>What a group was last told of this agent: kept small, one per group, for every agent in memory.</summary>
    private readonly record struct ToldGroup(string GroupId, bool Online, bool CanTake, int Load, DateTimeOffset IdleSince)
    {
        /// <summary>Whether a group routes differently on <paramref name="next"/> than on this.</summary>
        public bool Differs(AgentAvailability next)
            => Online != next.Online || CanTake != next.CanTake || (next.CanTake && (Load != next.Load || IdleSince != next.IdleSince));
    }

    /// <summary>The after-call deadline (AS-6, AS-7) as a timer of this activation, armed from the state.</summary>
    private void ArmDeadline()
    {
        var next = S.NextDeadline();
        if (next == _armedDeadline) return;
        _armedDeadline = next;
        _deadlineTimer?.Dispose();
        _deadlineTimer = null;
        if (next is not { } due) return;
        var self = this.AsReference<IAgentGrain>();
        _deadlineTimer = ArmTimer(due, () => self.DeadlineDue());
    }

    private IConversationGrain Conversation(string conversationId) => GrainFactory.Conversation(Tenant, conversationId);
}
