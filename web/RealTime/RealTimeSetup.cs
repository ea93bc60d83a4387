using Engine.Grains.Routing;

namespace Engine.Web.RealTime;

public static class RealTimeSetup
{
    /// <summary>The rate limit of <c>/hubs/visitor</c>: <c>Engine:Chat:HubRequestsPerMinute</c> per address (default 120; 0: none).</summary>
    public const string VisitorConnectionLimit = "visitor-connections";

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
        // Anonymous chat connections per address and minute (a browser's connection makes two requests: negotiate, then the socket).
        var chatRequests = configuration.GetValue("Engine:Chat:HubRequestsPerMinute", 120);
        if (chatRequests < 0) throw new InvalidOperationException($"Engine:Chat:HubRequestsPerMinute must be 0 (no limit) or more; it is {chatRequests}.");
        services.AddRateLimiter(o => o.AddPolicy(VisitorConnectionLimit, context => chatRequests == 0
            ? System.Threading.RateLimiting.RateLimitPartition.GetNoLimiter("all")
            : System.Threading.RateLimiting.RateLimitPartition.GetFixedWindowLimiter(context.Connection.RemoteIpAddress?.ToString() ?? "local",
                _ => new System.Threading.RateLimiting.FixedWindowRateLimiterOptions { PermitLimit = chatRequests, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 })));
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
        app.MapHub<VisitorHub>(VisitorHub.Path, o => o.AllowStatefulReconnects = true).RequireRateLimiting(VisitorConnectionLimit);
        return app;
    }
}
