using Engine.Grains.Routing;

namespace Engine.Web.RealTime;

public static class RealTimeSetup
{
    /// <summary>
    /// SignalR with the relays that carry grains' pushes to this server's connections, the engine events that send
    /// offers to the agents' grains, the sink of flow runs' replies (webhooks and web chats), and the presence grace of
    /// agents whose last workbench dropped (<c>Engine:Presence:GraceSeconds</c>, 1–3,600, default 60). Before the silo.
    /// </summary>
    public static IServiceCollection AddEngineRealTime(this IServiceCollection services, IConfiguration configuration)
    {
        var grace = configuration.GetValue("Engine:Presence:GraceSeconds", PresenceSettings.Default.Grace.TotalSeconds);
        if (grace is < 1 or > 3600) throw new InvalidOperationException($"Engine:Presence:GraceSeconds must be between 1 and 3600 seconds; it is {grace}.");
        services.AddSingleton(new PresenceSettings(TimeSpan.FromSeconds(grace)));
        services.AddSingleton<IEngineEvents, HubEvents>();
        services.AddSingleton<IFlowReplies, ChannelReplies>();
        services.AddSignalR(o => o.StatefulReconnectBufferSize = 1_000_000)
            .AddJsonProtocol(o => o.PayloadSerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter()));
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
