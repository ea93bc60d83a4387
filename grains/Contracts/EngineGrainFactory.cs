namespace Engine.Grains.Routing;

/// <summary>References to the engine's grains by tenant and id, for callers outside them (endpoints, hubs, tests) and within.</summary>
public static class EngineGrainFactory
{
    public static ITenantGrain Tenant(this IGrainFactory grains, string tenant)
        => Reference<ITenantGrain>.Of(grains, tenant, TenantGrain.SingletonKey);

    public static IAgentGrain Agent(this IGrainFactory grains, string tenant, string agentId)
        => Reference<IAgentGrain>.Of(grains, tenant, agentId);

    public static ISkillGroupGrain SkillGroup(this IGrainFactory grains, string tenant, string groupId)
        => Reference<ISkillGroupGrain>.Of(grains, tenant, groupId);

    public static IConversationGrain Conversation(this IGrainFactory grains, string tenant, string conversationId)
        => Reference<IConversationGrain>.Of(grains, tenant, conversationId);

    public static IFlowInstanceGrain FlowInstance(this IGrainFactory grains, string tenant, string conversationId)
        => Reference<IFlowInstanceGrain>.Of(grains, tenant, conversationId);

    public static IFaqGrain Faq(this IGrainFactory grains, string tenant)
        => Reference<IFaqGrain>.Of(grains, tenant, IFaqGrain.SingletonKey);

    public static IVisitorGrain Visitor(this IGrainFactory grains, string tenant, string visitorId)
        => Reference<IVisitorGrain>.Of(grains, tenant, visitorId);

    /// <summary>
    /// Orleans's <c>GetGrain&lt;T&gt;(string)</c> works out the interface's type name from its attributes and full name on
    /// every call (reflection and string formatting: 8% of the routing CPU in the load harness). The grain type and
    /// interface type of <typeparamref name="T"/> are the same for every silo of the process, so they are resolved
    /// once, and a reference is then only its key's bytes.
    /// </summary>
    private static class Reference<T> where T : IGrainWithStringKey
    {
        private static Resolved? s_resolved;

        public static T Of(IGrainFactory grains, string tenant, string key)
        {
            var resolved = s_resolved ??= Resolve(grains);
            return (T)grains.GetGrain(GrainId.Create(resolved.Type, EngineKey.IdOf(tenant, key)), resolved.Interface);
        }

        private static Resolved Resolve(IGrainFactory grains)
        {
            var sample = (GrainReference)(object)grains.GetGrain<T>(EngineKey.Of("resolve", "type"));
            return new Resolved(sample.GrainId.Type, sample.InterfaceType);
        }
    }

    private sealed record Resolved(GrainType Type, GrainInterfaceType Interface);
}
