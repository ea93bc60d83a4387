using Engine.Agents;
using Engine.Conversations;

namespace Engine.Grains.Routing;

/// <summary>
/// What grains publish as they go (SignalR pushes, history, tests). Calls come from inside turns and
/// must not block: an implementation queues or forwards, it never waits.
/// </summary>
public interface IEngineEvents
{
    void AgentStatusChanged(string tenant, string agentId, AgentStatus from, AgentStatus to, string reason, DateTimeOffset at);

    /// <summary>AS-3: an offered conversation rings at the agent.</summary>
    void OfferRinging(string tenant, string agentId, string conversationId, string groupId, DateTimeOffset? deadline);

    /// <summary>The offer stopped ringing without an answer (timeout, customer left, agent forced offline).</summary>
    void OfferWithdrawn(string tenant, string agentId, string conversationId);

    /// <summary>RT-6: the visitor's position in the queue, on entering and whenever it changes.</summary>
    void QueuePositionChanged(string tenant, string conversationId, string groupId, int position);

    void ConversationChanged(string tenant, ConversationSnapshot conversation);
}

public sealed class NullEngineEvents : IEngineEvents
{
    public static readonly NullEngineEvents Instance = new();
    public void AgentStatusChanged(string tenant, string agentId, AgentStatus from, AgentStatus to, string reason, DateTimeOffset at) { }
    public void OfferRinging(string tenant, string agentId, string conversationId, string groupId, DateTimeOffset? deadline) { }
    public void OfferWithdrawn(string tenant, string agentId, string conversationId) { }
    public void QueuePositionChanged(string tenant, string conversationId, string groupId, int position) { }
    public void ConversationChanged(string tenant, ConversationSnapshot conversation) { }
}

[GenerateSerializer, Immutable]
public sealed record ConversationSnapshot(
    string Id,
    string VisitorId,
    Engine.Routing.ServiceMode Mode,
    ConversationStatus Status,
    string? GroupId,
    string? AgentId,
    DateTimeOffset CreatedAt,
    DateTimeOffset? QueuedAt,
    DateTimeOffset? OfferedAt,
    DateTimeOffset? AnsweredAt,
    DateTimeOffset? EndedAt,
    DateTimeOffset? CompletedAt,
    EndReason EndReason,
    IReadOnlyList<string> ExcludedAgents,
    DateTimeOffset? OfferDeadline = null)
{
    public static ConversationSnapshot Of(ConversationState s) => new(
        s.Id, s.VisitorId, s.Mode, s.Status, s.GroupId, s.AgentId, s.CreatedAt, s.QueuedAt, s.OfferedAt,
        s.AnsweredAt, s.EndedAt, s.CompletedAt, s.EndReason, s.ExcludedAgents.ToArray(),
        s.Status == ConversationStatus.Offered ? s.OfferDeadline : null);
}

[GenerateSerializer, Immutable]
public sealed record AgentSnapshot(
    string AgentId,
    AgentStatus Status,
    Presence Presence,
    BreakReason BreakReason,
    bool Deleted,
    IReadOnlyList<WorkItem> Work,
    IReadOnlyDictionary<string, Membership> Groups,
    DateTimeOffset IdleSince,
    DateTimeOffset? WorkbenchAwaySince = null)
{
    public static AgentSnapshot Of(AgentState s) => new(
        s.AgentId, s.Status(), s.Presence, s.BreakReason, s.Deleted, s.Work.Values.ToArray(),
        new Dictionary<string, Membership>(s.Groups), s.IdleSince);
}

[GenerateSerializer, Immutable]
public sealed record SkillGroupSnapshot(
    string GroupId,
    Engine.Routing.ServiceMode Mode,
    int ReceptionCap,
    Engine.Routing.RoutingSettings Settings,
    IReadOnlyList<string> Members,
    IReadOnlyList<string> Queue,
    int AvailableAgents,
    int OnlineAgents,
    bool Deleted);
