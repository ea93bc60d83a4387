using System.Text.Json;
using System.Text.Json.Nodes;
using Engine.Persistence.Admin;
using Engine.Web.Auth;
using Microsoft.AspNetCore.Http.Metadata;

namespace Engine.Web.Infrastructure;

/// <summary>A route whose changes go to the audit trail, naming what it changes and the route value that holds its id.</summary>
public sealed record AuditedRoute(string TargetType, string? TargetParameter);

/// <summary>A route that changes something but is not an admin's change (an agent's work, signing in), and why.</summary>
public sealed record NotAuditedRoute(string Reason);

/// <summary>
/// The audit trail of admin and operator changes. A filter on every audited route makes the change's record (who,
/// when, from where, what, and the fields the request gave) and makes it current for the request; the stores and
/// configuration grains write it in the transaction of the change (<see cref="Audit"/>). A request that changes
/// nothing (refused, not found) leaves no record.
/// </summary>
public static class AuditTrail
{
    /// <summary>The target parameter that means "the caller themself" (a user's own password).</summary>
    public const string Caller = "@caller";

    private const int MaxText = 200;

    private static readonly string[] SecretWords = ["password", "secret", "token"];

    /// <summary>Records every change made through these routes (reads pass by); <paramref name="targetParameter"/> is the route value of the target's id.</summary>
    public static TBuilder Audited<TBuilder>(this TBuilder builder, string targetType, string? targetParameter = null) where TBuilder : IEndpointConventionBuilder
    {
        var route = new AuditedRoute(targetType, targetParameter);
        builder.WithMetadata(route);
        builder.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            if (HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method)) return await next(context);
            using (Audit.Begin(RecordOf(context, route))) return await next(context);
        });
        return builder;
    }

    /// <summary>Marks a changing route as outside the audit trail, with the reason (the trail's test holds every other changing route to it).</summary>
    public static TBuilder NotAudited<TBuilder>(this TBuilder builder, string reason) where TBuilder : IEndpointConventionBuilder
        => builder.WithMetadata(new NotAuditedRoute(reason));

    /// <summary>Adds fields to the summary of the change being recorded (what the handler learned, such as a count).</summary>
    public static void Note(string field, object value)
    {
        Audit.Amend(record =>
        {
            var summary = JsonNode.Parse(record.Summary)!.AsObject();
            summary[field] = JsonSerializer.SerializeToNode(value);
            return record with { Summary = summary.ToJsonString() };
        });
    }

    private static AuditRecord RecordOf(EndpointFilterInvocationContext context, AuditedRoute route)
    {
        var http = context.HttpContext;
        var user = http.User;
        var values = http.Request.RouteValues;
        var targetId = route.TargetParameter == Caller ? user.UserId()
            : route.TargetParameter is { } parameter ? values[parameter] as string : null;
        var summary = new JsonObject();
        foreach (var (name, value) in values)
            if (name != "tenantId" && name != route.TargetParameter && value is string text) summary[name] = text;
        AddBody(context, summary);
        var address = http.Connection.RemoteIpAddress;
        if (address is { IsIPv4MappedToIPv6: true }) address = address.MapToIPv4();
        var pattern = (http.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? http.Request.Path.Value ?? "";
        return new AuditRecord(
            Ids.New(), values["tenantId"] as string ?? user.TenantId(), http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow().ToUnixTimeMilliseconds(),
            user.UserId(), user.Role(), user.Via(), address?.ToString(), http.Request.Method, "/" + pattern.Trim('/'),
            route.TargetType, targetId, summary.ToJsonString());
    }

    /// <summary>The fields the request gave: a JSON body's non-null properties, or a form's fields and files (name and size).</summary>
    private static void AddBody(EndpointFilterInvocationContext context, JsonObject summary)
    {
        var request = context.HttpContext.Request;
        if (request.HasFormContentType)
        {
            var form = request.Form;
            foreach (var (name, value) in form) summary[name] = Shown(name, value.ToString());
            foreach (var file in form.Files) summary[file.Name] = new JsonObject { ["fileName"] = Shorter(file.FileName), ["bytes"] = file.Length };
            return;
        }
        var bodyType = context.HttpContext.GetEndpoint()?.Metadata.GetMetadata<IAcceptsMetadata>()?.RequestType;
        if (bodyType is null) return;
        var body = context.Arguments.FirstOrDefault(a => a is not null && bodyType.IsInstanceOfType(a));
        if (body is null || JsonSerializer.SerializeToNode(body, bodyType, JsonSerializerOptions.Web) is not JsonObject fields) return;
        foreach (var (name, value) in fields)
        {
            if (value is null) continue;
            summary[name] = value is JsonValue v && v.TryGetValue<string>(out var text) ? Shown(name, text) : IsSecret(name) ? "(not recorded)" : value.DeepClone();
        }
    }

    private static JsonNode Shown(string field, string value) => IsSecret(field) ? "(not recorded)" : Shorter(value);

    private static string Shorter(string value) => value.Length <= MaxText ? value : value[..MaxText] + "…";

    private static bool IsSecret(string field) => SecretWords.Any(word => field.Contains(word, StringComparison.OrdinalIgnoreCase));
}
