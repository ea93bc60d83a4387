using Engine.Routing;

namespace Engine.Agents;

/// <summary>What the agent chose (or the system set): kept apart from the work they hold.</summary>
[GenerateSerializer]
public enum Presence
{
    Offline,
    Online,
    Break,
}

[GenerateSerializer]
public enum BreakReason
{
    None,

    /// <summary>The agent chose 小休.</summary>
    Chosen,

    /// <summary>AS-4: the system assumed the agent is away after an unanswered offer.</summary>
    MissedOffer,
}

/// <summary>AS-1 displayed status, derived from presence and work.</summary>
[GenerateSerializer]
public enum AgentStatus
{
    /// <summary>空闲中: online and can take conversations.</summary>
    Idle,

    /// <summary>忙碌中: at the reception cap, or on a call.</summary>
    Busy,

    /// <summary>话后整理: finishing a just-ended conversation; takes no new ones.</summary>
    WrapUp,

    /// <summary>小休中.</summary>
    Break,

    /// <summary>下线.</summary>
    Offline,
}

[GenerateSerializer]
public enum PresenceTrigger
{
    GoOnline,
    StartBreak,
    EndBreak,
    GoOffline,
    MissOffer,
}

/// <summary>Where one conversation stands in the agent's hands.</summary>
[GenerateSerializer]
public enum WorkStage
{
    /// <summary>Offered and ringing (AS-3); counts against capacity.</summary>
    Reserved,
    Active,

    /// <summary>Chat ended by the agent, waiting for 完成会话 (AS-5); still counts against capacity.</summary>
    Ended,

    /// <summary>Call ended: the agent may continue or enter wrap-up (AS-6).</summary>
    AfterCall,

    /// <summary>Explicit 话后整理 after a call, ended from the menu or by status recovery (AS-6, AS-7).</summary>
    WrappingUp,

    /// <summary>Gone from the agent's hands.</summary>
    Done,
}

[GenerateSerializer]
public enum WorkTrigger
{
    Answer,
    MissOffer,
    Release,
    End,
    EndCall,
    Complete,
    Continue,
    EnterWrapUp,
    FinishWrapUp,
    Recover,
}

/// <summary>One conversation the agent holds.</summary>
[GenerateSerializer, Immutable]
public sealed record WorkItem(string ConversationId, string GroupId, ServiceMode Mode, WorkStage Stage, DateTimeOffset Since, DateTimeOffset? Deadline = null)
{
    /// <summary>
    /// What its agent holds of a live conversation, as the conversation records it: offered is reserved,
    /// active is active, ended is ended (a chat) or after-call with its deadline (a call). Null when the
    /// conversation is with nobody. How an agent's work is rebuilt when it is not stored with the agent.
    /// </summary>
    public static WorkItem? HeldIn(Engine.Conversations.ConversationState c) => c.Status switch
    {
        Engine.Conversations.ConversationStatus.Offered => new(c.Id, c.GroupId!, c.Mode, WorkStage.Reserved, c.OfferedAt ?? c.CreatedAt),
        Engine.Conversations.ConversationStatus.Active => new(c.Id, c.GroupId!, c.Mode, WorkStage.Active, c.AnsweredAt ?? c.CreatedAt),
        Engine.Conversations.ConversationStatus.Ended when c.Mode.IsExclusive() => new(
            c.Id, c.GroupId!, c.Mode, WorkStage.AfterCall, c.EndedAt ?? c.CreatedAt, (c.EndedAt ?? c.CreatedAt) + (c.AfterCall ?? AfterCallRule.Default).Window),
        Engine.Conversations.ConversationStatus.Ended => new(c.Id, c.GroupId!, c.Mode, WorkStage.Ended, c.EndedAt ?? c.CreatedAt),
        _ => null,
    };
}

/// <summary>The agent's membership of a skill group, with the group's mode and reception cap (SG-3).</summary>
[GenerateSerializer, Immutable]
public sealed record Membership(ServiceMode Mode, int Cap);

/// <summary>What a skill group needs to know of an agent to route to them.</summary>
[GenerateSerializer, Immutable]
public sealed record AgentAvailability(string AgentId, long Version, bool Online, bool CanTake, int Load, DateTimeOffset IdleSince);

[GenerateSerializer]
public enum ReserveOutcome
{
    Reserved,
    NotOnline,
    NotMember,
    AtCapacity,
    Busy,
    AlreadyHeld,
    Deleted,
}
