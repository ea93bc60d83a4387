using Engine.Agents;
using Engine.Conversations;
using Engine.Grains.Routing;
using Engine.Grains.Runtime;
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

    public static Ok<EngineStats> GetStats(GrainRuntime runtime, EngineCounters counters) => TypedResults.Ok(new EngineStats(
        runtime.ActivationCount,
        runtime.ArmedReminderCount,
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

/// <summary>Agents by displayed status (AS-1), among agents whose grain is active.</summary>
public sealed record AgentCounts(long Idle, long Busy, long WrapUp, long Break, long Offline);

public sealed record ConversationCounts(long Queued, long Offered, long Active, long Ended, long CompletedSinceStart);

public sealed record EngineStats(int Activations, int Reminders, AgentCounts Agents, ConversationCounts Conversations);
