using Engine.Agents;
using Engine.Grains.Routing;
using Engine.Persistence.Admin;
using Engine.Routing;
using Engine.StateMachines;
using System.Text.Json;
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

    /// <summary>What a caller is told of a store failure; the store's own message stays in the server's log.</summary>
    private const string StoreFailure =
        "The store refused or lost a write. The transaction that failed (a change with its audit record) was rolled back; " +
        "earlier steps of the request may stand, so look before trying again.";

    private static bool IsStoreFailure(Exception error)
        => error is System.Data.Common.DbException or Orleans.Runtime.OrleansException { InnerException: System.Data.Common.DbException };

    /// <summary>Status and title for an exception the engine raises on purpose; null for anything else (a 500).</summary>
    public static (int Status, string Title)? Classify(Exception error) => error switch
    {
        RequestValidationException => (StatusCodes.Status400BadRequest, "Invalid request"),
        BadHttpRequestException bad => (bad.StatusCode, "Invalid request"),
        NotFoundException or Engine.Persistence.Admin.FlowNotFoundException or Engine.Persistence.Admin.ChannelNotFoundException => (StatusCodes.Status404NotFound, "Not found"),
        Engine.Web.Admin.FlowInvalidException => (StatusCodes.Status422UnprocessableEntity, "Flow not valid"),
        Engine.Web.Api.ChannelTokenException => (StatusCodes.Status401Unauthorized, "Unauthorized"),
        DuplicateValueException => (StatusCodes.Status409Conflict, "Already exists"),
        RoutingSettingsException => (StatusCodes.Status400BadRequest, "Invalid settings"),
        // A conversation an agent does not hold is, for that agent, not there.
        ConversationNotFoundException or ConversationNotHeldException => (StatusCodes.Status404NotFound, "Not found"),
        AgentHasWorkException or InvalidTransitionException or SkillGroupUnavailableException or AgentDeletedException => (StatusCodes.Status409Conflict, "Conflict"),
        DomainException => (StatusCodes.Status409Conflict, "Conflict"),
        // The stored state moved on under the grain (a record under the same id, a write from another silo):
        // nothing was changed, the grain reloads, and the caller may look again and retry.
        Orleans.Storage.InconsistentStateException => (StatusCodes.Status409Conflict, "Conflict"),
        // Orleans gave up waiting for a grain (its response timeout): the engine is overloaded, not the request wrong.
        TimeoutException => (StatusCodes.Status503ServiceUnavailable, "Engine busy"),
        // The store refused or lost a write (a failing disk, a dropped connection): its transaction, the change
        // with its audit record, was rolled back; the request may be tried again.
        _ when IsStoreFailure(error) => (StatusCodes.Status503ServiceUnavailable, "Store unavailable"),
        _ => null,
    };

    private sealed partial class DomainExceptionHandler(IProblemDetailsService problems, ILogger<DomainExceptionHandler> logger) : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
        {
            if (Classify(exception) is not { } kind) return false;
            LogRefused(logger, context.Request.Path, kind.Status, exception.Message);
            var problem = new ProblemDetails { Status = kind.Status, Title = kind.Title, Detail = IsStoreFailure(exception) ? StoreFailure : exception.Message };
            if (FieldErrors(exception) is { } errors) problem.Extensions["errors"] = errors;
            if (exception is Engine.Web.Admin.FlowInvalidException invalid)
                problem.Extensions["problems"] = invalid.Problems.Select(p => new { module = p.ModuleId, field = p.Field, reason = p.Reason }).ToList();
            context.Response.StatusCode = kind.Status;
            return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem, Exception = exception });
        }

        /// <summary>The fields a 400 or 409 is about, each with why, in the shape of ASP.NET Core's validation problems.</summary>
        private static IReadOnlyDictionary<string, string[]>? FieldErrors(Exception exception) => exception switch
        {
            RequestValidationException validation => validation.Errors,
            RoutingSettingsException settings => new Dictionary<string, string[]> { [settings.Field] = [settings.Reason] },
            DuplicateValueException duplicate => new Dictionary<string, string[]> { [duplicate.Field] = ["is already used by another record"] },
            BadHttpRequestException { InnerException: JsonException json } => new Dictionary<string, string[]> { [FieldOf(json)] = [ReasonOf(json)] },
            _ => null,
        };

        /// <summary><c>$.skillGroupIds[2]</c> becomes <c>skillGroupIds[2]</c>; the whole body is <c>$</c>.</summary>
        private static string FieldOf(JsonException json) => json.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : "$";

        private static string ReasonOf(JsonException json)
        {
            if (json.Message.Contains("could not be mapped", StringComparison.Ordinal)) return "is not a field of this request";
            if (json.Message.Contains("type discriminator", StringComparison.Ordinal) || json.Message.Contains("abstract", StringComparison.Ordinal))
                return "has no type or one this API does not know (a flow module is start, message, branch, transfer or end)";
            return "has a value of the wrong type or is not valid JSON";
        }

        [LoggerMessage(EventId = 400, Level = LogLevel.Information, Message = "{Path} refused with {Status}: {Reason}")]
        private static partial void LogRefused(ILogger logger, string path, int status, string reason);
    }
}
