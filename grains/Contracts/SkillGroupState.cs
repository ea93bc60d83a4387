using Engine.Routing;

namespace Engine.Grains.Routing;

/// <summary>A skill group's configuration and members (written rarely).</summary>
public sealed class SkillGroupState : Engine.Grains.Storage.IAuditedState
{
    public bool Configured { get; set; }
    public bool Deleted { get; set; }
    public ServiceMode Mode { get; set; }
    public int ReceptionCap { get; set; } = 1;
    public RoutingSettings Settings { get; set; } = new();
    public List<string> Members { get; set; } = [];
}

/// <summary>A returning customer's last agent (RT-3), by visitor id or phone number.</summary>
public sealed class VisitorState
{
    public string? LastAgentId { get; set; }

    /// <summary>The conversation the visitor is in through a flow, until it ends.</summary>
    public string? CurrentConversationId { get; set; }
}

/// <summary>
/// A conversation joining a group's queue. <see cref="Watched"/>: it came through a flow, whose run is told each new
/// position (RT-6). <see cref="RequireOnline"/>: a flow's transfer, refused (<see cref="NoAgentOnlineException"/>) when
/// no agent of the group is online (FL-4).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record EnqueueRequest(
    string ConversationId,
    string VisitorId,
    ServiceMode Mode,
    DateTimeOffset EnqueuedAt,
    IReadOnlyList<string> Excluded,
    IReadOnlyList<string> Visited,
    bool Front,
    bool Watched = false,
    bool RequireOnline = false);

/// <summary>
/// The group's answer to an enqueue: the position in its queue, or the agent who took the conversation at
/// once (with the group's settings), so that the conversation records that offer in the same save as its
/// arrival. Offers to conversations already waiting reach them one-way (<see cref="IConversationGrain.Offered"/>).
/// </summary>
[GenerateSerializer, Immutable]
public readonly record struct EnqueueResult(int Position, string? AgentId, RoutingSettings? Settings, long Ticket);

/// <summary>FL-4: a flow's transfer found no agent of the group online (the conversation does not join the queue).</summary>
[GenerateSerializer]
public sealed class NoAgentOnlineException(string groupId)
    : Engine.StateMachines.DomainException($"No agent of skill group {groupId} is online.");

[GenerateSerializer]
public sealed class SkillGroupUnavailableException(string groupId, string reason)
    : Engine.StateMachines.DomainException($"Skill group {groupId} {reason}.")
{
    [Id(0)]
    public string GroupId { get; } = groupId;
}
