using Engine.Agents;
using Engine.Grains.Routing;
using Engine.Grains.Runtime;
using Engine.Routing;
using Engine.StateMachines;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace Engine.Web.Infrastructure;

/// <summary>The one place where exceptions become RFC 7807 problem details.</summary>
public static partial class ProblemDetailsSetup
{
    public static IServiceCollection AddEngineProblemDetails(this IServiceCollection services)
    {
        services.AddProblemDetails();
        services.AddExceptionHandler<DomainExceptionHandler>();
        return services;
    }

    /// <summary>Status and title for an exception the engine raises on purpose; null for anything else (a 500).</summary>
    public static (int Status, string Title)? Classify(Exception error) => error switch
    {
        RoutingSettingsException => (StatusCodes.Status400BadRequest, "Invalid settings"),
        ConversationNotFoundException => (StatusCodes.Status404NotFound, "Not found"),
        AgentHasWorkException or InvalidTransitionException or SkillGroupUnavailableException or AgentDeletedException
            or ConversationNotHeldException => (StatusCodes.Status409Conflict, "Conflict"),
        DomainException => (StatusCodes.Status409Conflict, "Conflict"),
        GrainCallTimeoutException => (StatusCodes.Status503ServiceUnavailable, "Engine busy"),
        _ => null,
    };

    private sealed partial class DomainExceptionHandler(IProblemDetailsService problems, ILogger<DomainExceptionHandler> logger) : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
        {
            if (Classify(exception) is not { } kind) return false;
            LogRefused(logger, context.Request.Path, kind.Status, exception.Message);
            var problem = new ProblemDetails { Status = kind.Status, Title = kind.Title, Detail = exception.Message };
            if (exception is RoutingSettingsException settings)
                problem.Extensions["errors"] = new Dictionary<string, string[]> { [settings.Field] = [settings.Reason] };
            context.Response.StatusCode = kind.Status;
            return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem, Exception = exception });
        }

        [LoggerMessage(EventId = 400, Level = LogLevel.Information, Message = "{Path} refused with {Status}: {Reason}")]
        private static partial void LogRefused(ILogger logger, string path, int status, string reason);
    }
}
