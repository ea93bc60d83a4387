namespace Engine.Grains.Routing;

/// <summary>References to the engine's grains by tenant and id, for callers outside them (endpoints, hubs, tests) and within.</summary>
public static class EngineGrainFactory
{
    public static ITenantGrain Tenant(this IGrainFactory grains, string tenant)
        => grains.GetGrain<ITenantGrain>(EngineKey.Of(tenant, TenantGrain.SingletonKey));

    public static IAgentGrain Agent(this IGrainFactory grains, string tenant, string agentId)
        => grains.GetGrain<IAgentGrain>(EngineKey.Of(tenant, agentId));

    public static ISkillGroupGrain SkillGroup(this IGrainFactory grains, string tenant, string groupId)
        => grains.GetGrain<ISkillGroupGrain>(EngineKey.Of(tenant, groupId));

    public static IConversationGrain Conversation(this IGrainFactory grains, string tenant, string conversationId)
        => grains.GetGrain<IConversationGrain>(EngineKey.Of(tenant, conversationId));

    public static IVisitorGrain Visitor(this IGrainFactory grains, string tenant, string visitorId)
        => grains.GetGrain<IVisitorGrain>(EngineKey.Of(tenant, visitorId));
}
