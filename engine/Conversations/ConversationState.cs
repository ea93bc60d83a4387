using Engine.Routing;
using Engine.StateMachines;

namespace Engine.Conversations;

[GenerateSerializer]
public enum ConversationStatus
{
    /// <summary>Created, not yet transferred to a group (in a flow).</summary>
    New,
    Queued,
    Offered,
    Active,
    Ended,
    Completed,
}

[GenerateSerializer]
public enum ConversationTrigger
{
    Transfer,
    Overflow,
    Offer,
    Answer,
    OfferTimeout,
    Withdraw,
    Abandon,
    End,
    ReplyTimeout,
    GroupGone,
    Complete,
}

[GenerateSerializer]
public enum EndReason
{
    None,
    AgentEnded,
    CustomerLeft,
    CustomerReplyTimeout,
    AbandonedInQueue,

    /// <summary>Its skill group was deleted while it was with an agent; it had nowhere to wait.</summary>
    GroupDeleted,
}

/// <summary>
/// A conversation's lifecycle: queued in one group, offered to one agent at a time (RT-5), active,
/// ended, completed. Deadlines are stored as values; the grain arms reminders for them.
/// </summary>
public sealed class ConversationState
{
    public static readonly CompiledStateMachine<ConversationStatus, ConversationTrigger> Machine = new("Conversation", ConversationStatus.New, machine =>
    {
        machine.Configure(ConversationStatus.New)
            .Permit(ConversationTrigger.Transfer, ConversationStatus.Queued)
            .Permit(ConversationTrigger.Abandon, ConversationStatus.Ended);

        machine.Configure(ConversationStatus.Queued)
            .PermitReentry(ConversationTrigger.Overflow)
            .Permit(ConversationTrigger.Offer, ConversationStatus.Offered)
            .Permit(ConversationTrigger.Abandon, ConversationStatus.Ended)
            .Permit(ConversationTrigger.GroupGone, ConversationStatus.Ended);

        machine.Configure(ConversationStatus.Offered)
            .Permit(ConversationTrigger.Answer, ConversationStatus.Active)
            .Permit(ConversationTrigger.OfferTimeout, ConversationStatus.Queued)
            .Permit(ConversationTrigger.Withdraw, ConversationStatus.Queued)
            .Permit(ConversationTrigger.Abandon, ConversationStatus.Ended);

        machine.Configure(ConversationStatus.Active)
            .Permit(ConversationTrigger.Withdraw, ConversationStatus.Queued)
            .Permit(ConversationTrigger.End, ConversationStatus.Ended)
            .Permit(ConversationTrigger.Abandon, ConversationStatus.Ended)
            .Permit(ConversationTrigger.ReplyTimeout, ConversationStatus.Ended);

        machine.Configure(ConversationStatus.Ended)
            .Permit(ConversationTrigger.Complete, ConversationStatus.Completed);
    });

    public string Id { get; set; } = "";
    public string VisitorId { get; set; } = "";
    public ServiceMode Mode { get; set; }
    public ConversationStatus Status { get; set; }
    public string? GroupId { get; set; }
    public string? AgentId { get; set; }

    /// <summary>Where the customer came from (DB-6, DB-7): the channel, the marketing account, the region the channel told.</summary>
    public string? ChannelId { get; set; }
    public string? AccountId { get; set; }
    public string? Region { get; set; }
    public List<string> VisitedGroups { get; set; } = [];

    /// <summary>Agents who missed this conversation's offer: not offered it again while others can take it.</summary>
    public List<string> ExcludedAgents { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? QueuedAt { get; set; }

    /// <summary>Its place in its group's queue, as the group numbered it (the queue is rebuilt in this order).</summary>
    public long QueueTicket { get; set; }
    public DateTimeOffset? OfferedAt { get; set; }
    public DateTimeOffset? AnsweredAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
    public DateTimeOffset? OfferDeadline { get; set; }
    public DateTimeOffset? ReplyDeadline { get; set; }
    public EndReason EndReason { get; set; }
    public int Offers { get; set; }

    /// <summary>Sequence number of the last message (1, 2, ...).</summary>
    public long LastSeq { get; set; }

    /// <summary>The most recent client message ids and their sequence numbers, so that a resend is recognised.</summary>
    public List<SentMessage> RecentMessages { get; set; } = [];

    /// <summary>The after-call rule of the group whose offer this is (AS-6, AS-7).</summary>
    public AfterCallRule? AfterCall { get; set; }

    /// <summary>RT-3 was on for the group whose offer this is: its answer is kept as the visitor's last agent.</summary>
    public bool KeepsLastAgent { get; set; }

    /// <summary>
    /// A flow's Transfer started it (FL-4) and the run is not yet told that it is over: the run hears of its queue
    /// position (RT-6), its agent, the agent's messages and its end.
    /// </summary>
    public bool InFlow { get; set; }

    /// <summary>FL-5: the customer reply timeout of the flow's End, kept as a deadline after each agent message.</summary>
    public TimeSpan? ReplyTimeout { get; set; }

    /// <summary>The agent the flow run was last told of (its <c>${StaffNo}</c>), so that each answer is told once.</summary>
    public string? FlowKnowsAgent { get; set; }

    public bool Exists => Id.Length > 0;

    public bool IsFinished => Status is ConversationStatus.Ended or ConversationStatus.Completed;

    public void Create(string id, string visitorId, ServiceMode mode, DateTimeOffset now)
    {
        if (Exists) throw new DomainException($"Conversation {id} already exists.");
        Id = id;
        VisitorId = visitorId;
        Mode = mode;
        Status = ConversationStatus.New;
        CreatedAt = now;
    }

    /// <summary>FL-4, FL-5: the conversation comes from a flow's Transfer, with the End's reply timeout.</summary>
    public void ComeFromFlow(TimeSpan? replyTimeout, ConversationOrigin? origin = null)
    {
        if (Status != ConversationStatus.New) throw new InvalidTransitionException(Machine.Name, Status.ToString(), "FromFlow");
        InFlow = true;
        ReplyTimeout = replyTimeout;
        (ChannelId, AccountId, Region) = (origin?.ChannelId, origin?.AccountId, origin?.Region);
    }

    public void TransferTo(string groupId, DateTimeOffset now)
    {
        Status = Machine.Fire(Status, Status == ConversationStatus.Queued ? ConversationTrigger.Overflow : ConversationTrigger.Transfer);
        GroupId = groupId;
        if (!VisitedGroups.Contains(groupId)) VisitedGroups.Add(groupId);
        QueuedAt = now;
    }

    public void Offer(string agentId, DateTimeOffset now, TimeSpan? offerTimeout)
    {
        Status = Machine.Fire(Status, ConversationTrigger.Offer);
        AgentId = agentId;
        OfferedAt = now;
        OfferDeadline = now + offerTimeout;
        Offers++;
    }

    public void Answer(string agentId, DateTimeOffset now)
    {
        if (Status == ConversationStatus.Offered && AgentId != agentId)
            throw new DomainException($"Conversation {Id} is offered to another agent.");
        Status = Machine.Fire(Status, ConversationTrigger.Answer);
        AnsweredAt = now;
        OfferDeadline = null;
    }

    /// <summary>AS-4 / RT-4: back to the queue, the agent who missed it excluded. Returns that agent.</summary>
    public string MissOffer(DateTimeOffset now)
    {
        Status = Machine.Fire(Status, ConversationTrigger.OfferTimeout);
        var missed = AgentId!;
        if (!ExcludedAgents.Contains(missed)) ExcludedAgents.Add(missed);
        AgentId = null;
        OfferDeadline = null;
        QueuedAt ??= now;
        return missed;
    }

    /// <summary>The agent was taken away (forced offline): back to the front of the queue.</summary>
    public void Withdraw(DateTimeOffset now)
    {
        Status = Machine.Fire(Status, ConversationTrigger.Withdraw);
        AgentId = null;
        OfferDeadline = null;
        ReplyDeadline = null;
        QueuedAt ??= now;
    }

    public void Abandon(DateTimeOffset now)
    {
        var wasWaiting = Status is ConversationStatus.New or ConversationStatus.Queued or ConversationStatus.Offered;
        Status = Machine.Fire(Status, ConversationTrigger.Abandon);
        Finish(now, wasWaiting ? EndReason.AbandonedInQueue : EndReason.CustomerLeft);
    }

    public void End(string agentId, DateTimeOffset now)
    {
        if (AgentId != agentId) throw new DomainException($"Conversation {Id} is not held by agent {agentId}.");
        Status = Machine.Fire(Status, ConversationTrigger.End);
        Finish(now, EndReason.AgentEnded);
    }

    /// <summary>FL-5: the agent wrote; the customer must reply within <paramref name="replyTimeout"/>.</summary>
    public void AgentWrote(DateTimeOffset now, TimeSpan? replyTimeout)
    {
        if (Status != ConversationStatus.Active) throw new InvalidTransitionException(Machine.Name, Status.ToString(), "AgentWrote");
        ReplyDeadline = now + replyTimeout;
    }

    public void CustomerWrote()
    {
        if (IsFinished) throw new InvalidTransitionException(Machine.Name, Status.ToString(), "CustomerWrote");
        ReplyDeadline = null;
    }

    /// <summary>The reply deadline fired. False when it no longer applies.</summary>
    public bool ReplyTimedOut(DateTimeOffset now)
    {
        if (Status != ConversationStatus.Active || ReplyDeadline is not { } due || due > now) return false;
        Status = Machine.Fire(Status, ConversationTrigger.ReplyTimeout);
        Finish(now, EndReason.CustomerReplyTimeout);
        return true;
    }

    /// <summary>The group it would go back to is gone: it ends and, held by nobody, completes.</summary>
    public void CloseForGoneGroup(DateTimeOffset now)
    {
        Status = Machine.Fire(Status, ConversationTrigger.GroupGone);
        Finish(now, EndReason.GroupDeleted);
        AgentId = null;
        Complete(now);
    }

    public const int RecentMessagesKept = 100;

    /// <summary>
    /// Gives a message its sequence number. A client message id seen recently returns the number it got
    /// then and <c>false</c>: a resend is the same message, stored once.
    /// </summary>
    public (long Seq, bool IsNew) Append(MessageSender sender, string? agentId, string? clientMessageId)
    {
        if (!Exists || Status == ConversationStatus.Completed)
            throw new InvalidTransitionException(Machine.Name, Status.ToString(), "Message");
        if (sender == MessageSender.Agent && (Status != ConversationStatus.Active || AgentId != agentId))
            throw new DomainException($"Only the agent holding conversation {Id} while it is active can write in it.");
        if (clientMessageId is not null && RecentMessages.Find(m => m.ClientMessageId == clientMessageId) is { } earlier)
            return (earlier.Seq, false);
        var seq = ++LastSeq;
        if (clientMessageId is not null)
        {
            RecentMessages.Add(new SentMessage(clientMessageId, seq));
            if (RecentMessages.Count > RecentMessagesKept) RecentMessages.RemoveAt(0);
        }
        return (seq, true);
    }

    /// <summary>
    /// Catches up with messages already on record (a crash or a failed write may have stored a message but
    /// not this state): numbering goes on after the last one on record, and their client message ids
    /// count as seen, so neither a new message nor a resend takes a number that is taken.
    /// </summary>
    public void CatchUp(long lastSeqOnRecord, IReadOnlyList<SentMessage> recentOnRecord)
    {
        if (lastSeqOnRecord > LastSeq) LastSeq = lastSeqOnRecord;
        var known = RecentMessages.Select(m => m.ClientMessageId).ToHashSet(StringComparer.Ordinal);
        var missing = recentOnRecord.Where(m => known.Add(m.ClientMessageId)).ToList();
        if (missing.Count == 0) return;
        RecentMessages = [.. RecentMessages.Concat(missing).OrderBy(m => m.Seq).TakeLast(RecentMessagesKept)];
    }

    public void Complete(DateTimeOffset now)
    {
        Status = Machine.Fire(Status, ConversationTrigger.Complete);
        CompletedAt = now;
    }

    private void Finish(DateTimeOffset now, EndReason reason)
    {
        EndedAt = now;
        EndReason = reason;
        OfferDeadline = null;
        ReplyDeadline = null;
    }
}

[GenerateSerializer]
public enum MessageSender
{
    Visitor,
    Agent,
    System,
}

/// <summary>Where a conversation's customer came from: the channel, the marketing account (MK), the region the channel told.</summary>
[GenerateSerializer, Immutable]
public sealed record ConversationOrigin([property: Id(0)] string? ChannelId, [property: Id(1)] string? AccountId, [property: Id(2)] string? Region);

[GenerateSerializer, Immutable]
public sealed record SentMessage(string ClientMessageId, long Seq);
