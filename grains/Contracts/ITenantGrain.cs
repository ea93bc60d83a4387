using Engine.Routing;

namespace Engine.Grains.Routing;

/// <summary>The tenant's routing configuration (key <c>tenant/tenant</c>): per-mode settings (ST-1) and its skill groups. The top of the call tree.</summary>
public interface ITenantGrain : IGrainWithStringKey
{
    ValueTask<RoutingSettings> GetModeSettings(ServiceMode mode);

    ValueTask<IReadOnlyDictionary<string, SkillGroupEntry>> GetSkillGroups();

    /// <summary>SG-1..SG-3: creates a group in a mode (fixed), with its cap and overflow list.</summary>
    ValueTask CreateSkillGroup(string groupId, ServiceMode mode, int receptionCap, IReadOnlyList<string> overflowGroupIds);

    /// <summary>Changes a group's cap (SG-3) and overflow list; the mode stays.</summary>
    ValueTask UpdateSkillGroup(string groupId, int receptionCap, IReadOnlyList<string> overflowGroupIds);

    /// <summary>SG-5: the group goes, its agents stay.</summary>
    ValueTask DeleteSkillGroup(string groupId);

    /// <summary>MK-3: creates or reconfigures a marketing account's group, which keeps routing settings of its own.</summary>
    ValueTask ConfigureAccountGroup(string groupId, int receptionCap, RoutingSettings settings);

    /// <summary>ST-1: settings of one mode, applied to every skill group of that mode at once (not to accounts' groups).</summary>
    ValueTask SetModeSettings(ServiceMode mode, RoutingSettings settings);
}

/// <summary>A returning customer (key <c>tenant/visitorId</c>, a visitor id or phone number): who served them last (RT-3).</summary>
public interface IVisitorGrain : IGrainWithStringKey
{
    ValueTask<string?> LastAgent();

    [OneWay]
    ValueTask ServedBy(string agentId);

    /// <summary>The conversation the visitor is in through a channel's flow, if any.</summary>
    ValueTask<string?> CurrentConversation();

    /// <summary>
    /// A new conversation for the visitor, replacing <paramref name="previous"/> (null: none); when another request
    /// opened one meanwhile, that one. Ids are never reused.
    /// </summary>
    ValueTask<string> OpenConversation(string? previous);

    /// <summary>From the flow run: the conversation ended, and the visitor's next message opens another.</summary>
    ValueTask ConversationEnded(string conversationId);

    /// <summary>A silo with chat connections of this visitor hears what they show (<see cref="IVisitorObserver"/>); lapses like the agent's.</summary>
    ValueTask Subscribe(IVisitorObserver observer);

    ValueTask Unsubscribe(IVisitorObserver observer);

    /// <summary>From the flow run: what the visitor is to see, passed on to the subscribed silos.</summary>
    [OneWay]
    ValueTask Notify(VisitorPush push);
}
