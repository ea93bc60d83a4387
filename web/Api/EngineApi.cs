using Engine.Agents;
using Engine.Conversations;
using Engine.Grains.Routing;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Engine.Web.Api;

/// <summary>Live figures of the running engine, across tenants: for the platform operator.</summary>
public static class EngineApi
{
    public static IEndpointRouteBuilder MapEngineApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/v1/engine").MapGet("/stats", GetStats).WithName("GetEngineStats").RequireAuthorization(Auth.Policies.Operator);
        return app;
    }

    /// <summary>Activations across the cluster (Orleans's management grain); agents and conversations as this silo counts them.</summary>
    public static async Task<Ok<EngineStats>> GetStats(IGrainFactory grains, EngineCounters counters) => TypedResults.Ok(new EngineStats(
        await grains.GetGrain<IManagementGrain>(0).GetTotalActivationCount(),
        new AgentCounts(
            counters.Agents(AgentStatus.Idle),
            counters.Agents(AgentStatus.Busy),
            counters.Agents(AgentStatus.WrapUp),
            counters.Agents(AgentStatus.Break),
            counters.Agents(AgentStatus.Offline)),
        new ConversationCounts(
            counters.Conversations(ConversationStatus.Queued),
            counters.Conversations(ConversationStatus.Offered),
            counters.Conversations(ConversationStatus.Active),
            counters.Conversations(ConversationStatus.Ended),
            counters.ConversationsCompleted)));
}

/// <summary>Agents by displayed status (AS-1), among agents whose grain is active on this silo.</summary>
public sealed record AgentCounts(long Idle, long Busy, long WrapUp, long Break, long Offline);

public sealed record ConversationCounts(long Queued, long Offered, long Active, long Ended, long CompletedSinceStart);

public sealed record EngineStats(int Activations, AgentCounts Agents, ConversationCounts Conversations);
