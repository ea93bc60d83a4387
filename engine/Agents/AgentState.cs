using Engine.Routing;
using Engine.StateMachines;

namespace Engine.Agents;

/// <summary>
/// An agent's presence, memberships and the conversations they hold. Every method takes the current
/// time as a value and either changes the state or throws; the displayed status is derived, never stored.
/// </summary>
public sealed class AgentState
{
    public string AgentId { get; set; } = "";
    public Presence Presence { get; set; }
    public BreakReason BreakReason { get; set; }
    public bool Deleted { get; set; }
    public Dictionary<string, WorkItem> Work { get; set; } = new(StringComparer.Ordinal);
    public Dictionary<string, Membership> Groups { get; set; } = new(StringComparer.Ordinal);

    /// <summary>When the agent last came online, ended a break, took or let go of a conversation: longest-idle orders by it.</summary>
    public DateTimeOffset IdleSince { get; set; }

    /// <summary>Increases with every change a skill group must hear of; lets groups drop stale notices.</summary>
    public long Version { get; set; }

    public AgentStatus Status()
    {
        if (Deleted && Work.Count == 0) return AgentStatus.Offline;
        switch (Presence)
        {
            case Presence.Offline: return AgentStatus.Offline;
            case Presence.Break: return AgentStatus.Break;
        }
        var chatLoad = 0;
        var chatEnded = 0;
        foreach (var item in Work.Values)
        {
            if (item.Mode.IsExclusive())
                return item.Stage is WorkStage.Reserved or WorkStage.Active ? AgentStatus.Busy : AgentStatus.WrapUp;
            chatLoad++;
            if (item.Stage == WorkStage.Ended) chatEnded++;
        }
        // Only ended chats left: the agent is wrapping them up, even when they fill the cap.
        if (chatLoad > 0 && chatEnded == chatLoad) return AgentStatus.WrapUp;
        if (chatLoad > 0 && chatLoad >= MaxChatCap()) return AgentStatus.Busy;
        return AgentStatus.Idle;
    }

    /// <summary>Conversations counting against capacity (reserved offers included).</summary>
    public int Load => Work.Count;

    /// <summary>SG-3 and exclusivity: can this agent take one more conversation from <paramref name="groupId"/> now?</summary>
    public bool CanTake(string groupId)
    {
        if (Deleted || Presence != Presence.Online || !Groups.TryGetValue(groupId, out var membership)) return false;
        foreach (var item in Work.Values)
        {
            if (item.Mode.IsExclusive()) return false;
        }
        return membership.Mode.IsExclusive() ? Work.Count == 0 : Work.Count < membership.Cap;
    }

    public AgentAvailability AvailabilityFor(string groupId)
        => new(AgentId, Version, !Deleted && Presence == Presence.Online && Groups.ContainsKey(groupId), CanTake(groupId), Load, IdleSince);

    public void GoOnline(DateTimeOffset now)
    {
        if (Deleted) throw new AgentDeletedException(AgentId);
        Presence = AgentMachine.Presence.Fire(Presence, PresenceTrigger.GoOnline);
        BreakReason = BreakReason.None;
        Touch(now);
    }

    public void StartBreak(DateTimeOffset now)
    {
        Presence = AgentMachine.Presence.Fire(Presence, PresenceTrigger.StartBreak);
        BreakReason = BreakReason.Chosen;
        Touch(now);
    }

    public void EndBreak(DateTimeOffset now)
    {
        Presence = AgentMachine.Presence.Fire(Presence, PresenceTrigger.EndBreak);
        BreakReason = BreakReason.None;
        Touch(now);
    }

    /// <summary>
    /// Refused while the agent holds conversations unless <paramref name="force"/>; forced, every held
    /// conversation is released and returned so that the caller can put it back in its queue.
    /// </summary>
    public IReadOnlyList<WorkItem> GoOffline(DateTimeOffset now, bool force)
    {
        var next = AgentMachine.Presence.Fire(Presence, PresenceTrigger.GoOffline);
        if (Work.Count > 0 && !force) throw new AgentHasWorkException(AgentId, Work.Count);
        var released = Work.Values.ToList();
        Work.Clear();
        Presence = next;
        BreakReason = BreakReason.None;
        Touch(now);
        return released;
    }

    public ReserveOutcome TryReserve(string conversationId, string groupId, DateTimeOffset now)
    {
        if (Deleted) return ReserveOutcome.Deleted;
        if (Presence != Presence.Online) return ReserveOutcome.NotOnline;
        if (Work.ContainsKey(conversationId)) return ReserveOutcome.AlreadyHeld;
        if (!Groups.TryGetValue(groupId, out var membership)) return ReserveOutcome.NotMember;
        if (!CanTake(groupId)) return membership.Mode.IsExclusive() || Work.Values.Any(w => w.Mode.IsExclusive()) ? ReserveOutcome.Busy : ReserveOutcome.AtCapacity;
        Work[conversationId] = new WorkItem(conversationId, groupId, membership.Mode, WorkStage.Reserved, now);
        Touch(now);
        return ReserveOutcome.Reserved;
    }

    public void Answer(string conversationId, DateTimeOffset now) => Move(conversationId, WorkTrigger.Answer, now);

    /// <summary>AS-4: the offer was not answered in time; the agent is put on break by the system.</summary>
    public void MissOffer(string conversationId, DateTimeOffset now)
    {
        Move(conversationId, WorkTrigger.MissOffer, now);
        var wasOnline = Presence == Presence.Online;
        Presence = AgentMachine.Presence.Fire(Presence, PresenceTrigger.MissOffer);
        if (wasOnline) BreakReason = BreakReason.MissedOffer;
    }

    /// <summary>The conversation left the agent's hands from outside (abandoned, reassigned).</summary>
    public WorkItem Release(string conversationId, DateTimeOffset now)
    {
        var item = Held(conversationId);
        Move(conversationId, WorkTrigger.Release, now);
        return item;
    }

    /// <summary>Chat ends into <see cref="WorkStage.Ended"/> (AS-5); a call into the after-call window (AS-6, AS-7).</summary>
    public void End(string conversationId, DateTimeOffset now, AfterCallRule afterCall)
    {
        var item = Held(conversationId);
        if (item.Mode.IsExclusive())
            Move(conversationId, WorkTrigger.EndCall, now, now + afterCall.Window);
        else
            Move(conversationId, WorkTrigger.End, now);
    }

    public void Complete(string conversationId, DateTimeOffset now) => Move(conversationId, WorkTrigger.Complete, now);

    public void Continue(string conversationId, DateTimeOffset now) => Move(conversationId, WorkTrigger.Continue, now);

    /// <summary>AS-6: explicit wrap-up; with status recovery on (AS-7) the recovery deadline still holds.</summary>
    public void EnterWrapUp(string conversationId, DateTimeOffset now, AfterCallRule afterCall)
    {
        var item = Held(conversationId);
        Move(conversationId, WorkTrigger.EnterWrapUp, now, afterCall.StatusRecovery ? item.Deadline : null);
    }

    public void FinishWrapUp(string conversationId, DateTimeOffset now) => Move(conversationId, WorkTrigger.FinishWrapUp, now);

    /// <summary>The after-call deadline fired. False when that deadline no longer applies (the agent acted first).</summary>
    public bool Recover(string conversationId, DateTimeOffset now)
    {
        if (!Work.TryGetValue(conversationId, out var item) || item.Deadline is not { } due || due > now) return false;
        if (!AgentMachine.Work.CanFire(item.Stage, WorkTrigger.Recover)) return false;
        Move(conversationId, WorkTrigger.Recover, now);
        return true;
    }

    /// <summary>The earliest after-call deadline, for the grain to arm one reminder.</summary>
    public DateTimeOffset? NextDeadline()
    {
        DateTimeOffset? next = null;
        foreach (var item in Work.Values)
        {
            if (item.Deadline is { } due && (next is null || due < next)) next = due;
        }
        return next;
    }

    public void Join(string groupId, ServiceMode mode, int cap)
    {
        Groups[groupId] = new Membership(mode, mode.EffectiveCap(cap));
        Version++;
    }

    /// <summary>SG-5 and removal: the agent keeps what they hold and gets nothing new from the group.</summary>
    public void Leave(string groupId)
    {
        Groups.Remove(groupId);
        Version++;
    }

    /// <summary>A deleted agent keeps the conversations they hold and gets no new ones.</summary>
    public void Delete(DateTimeOffset now)
    {
        Deleted = true;
        if (Work.Count == 0)
        {
            Presence = Presence.Offline;
            BreakReason = BreakReason.None;
        }
        Touch(now);
    }

    public int MaxChatCap()
    {
        var max = 0;
        foreach (var membership in Groups.Values)
        {
            if (!membership.Mode.IsExclusive() && membership.Cap > max) max = membership.Cap;
        }
        return max;
    }

    private WorkItem Held(string conversationId)
        => Work.TryGetValue(conversationId, out var item) ? item : throw new ConversationNotHeldException(AgentId, conversationId);

    private void Move(string conversationId, WorkTrigger trigger, DateTimeOffset now, DateTimeOffset? deadline = null)
    {
        var item = Held(conversationId);
        var stage = AgentMachine.Work.Fire(item.Stage, trigger);
        if (stage == WorkStage.Done)
        {
            Work.Remove(conversationId);
            Touch(now);
            return;
        }
        Work[conversationId] = item with { Stage = stage, Since = now, Deadline = deadline };
        // A stage change inside the agent's hands frees no capacity: the idle clock keeps running.
        Version++;
    }

    private void Touch(DateTimeOffset now)
    {
        IdleSince = now;
        Version++;
    }
}

[GenerateSerializer]
public sealed class AgentHasWorkException(string agentId, int count)
    : DomainException($"Agent {agentId} holds {count} conversation(s); going offline needs force, which puts them back in their queues.")
{
    [Id(0)]
    public string AgentId { get; } = agentId;
}

[GenerateSerializer]
public sealed class ConversationNotHeldException(string agentId, string conversationId)
    : DomainException($"Agent {agentId} does not hold conversation {conversationId}.");

[GenerateSerializer]
public sealed class AgentDeletedException(string agentId)
    : DomainException($"Agent {agentId} was deleted and cannot go online.");
