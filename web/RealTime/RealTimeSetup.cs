using Engine.Grains.Routing;

namespace Engine.Web.RealTime;

public static class RealTimeSetup
{
    /// <summary>
    /// SignalR with the relays that carry grains' pushes to this server's connections, the engine events that send
    /// offers to the agents' grains, and the sink of flow runs' replies (webhooks and web chats). Before the silo.
    /// </summary>
    public static IServiceCollection AddEngineRealTime(this IServiceCollection services)
    {
        services.AddSingleton<IEngineEvents, HubEvents>();
        services.AddSingleton<IFlowReplies, ChannelReplies>();
        services.AddSignalR(o => o.StatefulReconnectBufferSize = 1_000_000);
        services.AddSingleton<AgentRelay>();
        services.AddSingleton<VisitorRelay>();
        return services;
    }

    /// <summary><c>/hubs/agent</c> and <c>/hubs/visitor</c>, with stateful reconnect.</summary>
    public static IEndpointRouteBuilder MapEngineHubs(this IEndpointRouteBuilder app)
    {
        app.MapHub<AgentHub>(AgentHub.Path, o => o.AllowStatefulReconnects = true);
        app.MapHub<VisitorHub>(VisitorHub.Path, o => o.AllowStatefulReconnects = true);
        return app;
    }
}
