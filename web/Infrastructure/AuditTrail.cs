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
    private const int MaxItems = 20;
    private const int MaxSummary = 4000;
    private const string HiddenText = "(not recorded)";

    /// <summary>Parts of field names that mark a secret; also every name ending in "key", and "pin".</summary>
    private static readonly string[] SecretWords = ["password", "passphrase", "secret", "token", "credential", "signature"];

    /// <summary>Records every change made through these routes (reads pass by); <paramref name="targetParameter"/> is the route value of the target's id.</summary>
    public static TBuilder Audited<TBuilder>(this TBuilder builder, string targetType, string? targetParameter = null) where TBuilder : IEndpointConventionBuilder
    {
        var route = new AuditedRoute(targetType, targetParameter);
        builder.WithMetadata(route);
        builder.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            if (HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method)) return await next(context);
            using (Audit.Begin(await RecordOfAsync(context, route))) return await next(context);
        });
        return builder;
    }

    /// <summary>Marks a changing route as outside the audit trail, with the reason (the trail's test holds every other changing route to it).</summary>
    public static TBuilder NotAudited<TBuilder>(this TBuilder builder, string reason) where TBuilder : IEndpointConventionBuilder
        => builder.WithMetadata(new NotAuditedRoute(reason));

    /// <summary>Adds a field to the summary of the change being recorded (what the handler learned, such as a count).</summary>
    public static void Note(string field, object value)
        => Audit.Amend(record =>
        {
            var summary = JsonNode.Parse(record.Summary)!.AsObject();
            summary[field] = Sanitized(field, JsonSerializer.SerializeToNode(value));
            return record with { Summary = Capped(summary) };
        });

    private static async Task<AuditRecord> RecordOfAsync(EndpointFilterInvocationContext context, AuditedRoute route)
    {
        var http = context.HttpContext;
        var user = http.User;
        var values = http.Request.RouteValues;
        var targetId = route.TargetParameter == Caller ? user.UserId()
            : route.TargetParameter is { } parameter ? values[parameter] as string : null;
        var summary = new JsonObject();
        foreach (var (name, value) in values)
            if (name != "tenantId" && name != route.TargetParameter && value is string text) summary[name] = Sanitized(name, text);
        await AddBodyAsync(context, summary);
        var address = http.Connection.RemoteIpAddress;
        if (address is { IsIPv4MappedToIPv6: true }) address = address.MapToIPv4();
        var pattern = (http.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? http.Request.Path.Value ?? "";
        return new AuditRecord(
            Ids.New(), values["tenantId"] as string ?? user.TenantId(), http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow().ToUnixTimeMilliseconds(),
            user.UserId(), user.Role(), user.Via(), address?.ToString(), http.Request.Method, "/" + pattern.Trim('/'),
            route.TargetType, targetId, Capped(summary));
    }

    /// <summary>
    /// The fields the request gave, as the endpoint took them: a JSON body's non-null properties, or the fields and
    /// files (name and size) of a form the endpoint reads (model binding has read it already). A body the endpoint
    /// does not take is not looked at.
    /// </summary>
    private static async Task AddBodyAsync(EndpointFilterInvocationContext context, JsonObject summary)
    {
        var http = context.HttpContext;
        var accepts = http.GetEndpoint()?.Metadata.GetMetadata<IAcceptsMetadata>();
        if (accepts is null) return;
        if (accepts.ContentTypes.Any(IsForm) && http.Request.HasFormContentType)
        {
            var form = await http.Request.ReadFormAsync(http.RequestAborted);
            foreach (var (name, value) in form) summary[name] = Sanitized(name, value.ToString());
            foreach (var file in form.Files) summary[file.Name] = new JsonObject { ["fileName"] = Shorter(file.FileName), ["bytes"] = file.Length };
            return;
        }
        if (accepts.RequestType is not { } bodyType) return;
        var body = context.Arguments.FirstOrDefault(a => a is not null && bodyType.IsInstanceOfType(a));
        if (body is null || JsonSerializer.SerializeToNode(body, bodyType, JsonSerializerOptions.Web) is not JsonObject fields) return;
        foreach (var (name, value) in fields)
            if (value is not null) summary[name] = Sanitized(name, value);
    }

    private static bool IsForm(string contentType)
        => contentType.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase) || contentType.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// A field as the trail may show it: secrets (by their field's name, at any depth) as <c>(not recorded)</c>, the
    /// user and password of a URL and the secret-named values of its query taken out, long texts and lists cut.
    /// </summary>
    private static JsonNode? Sanitized(string field, JsonNode? value)
    {
        if (IsSecret(field)) return Hidden;
        switch (value)
        {
            case JsonObject fields:
                var copy = new JsonObject();
                foreach (var (name, inner) in fields) copy[name] = Sanitized(name, inner);
                return copy;
            case JsonArray items:
                var list = new JsonArray();
                foreach (var item in items.Take(MaxItems)) list.Add(Sanitized(field, item));
                if (items.Count > MaxItems) list.Add($"… {items.Count - MaxItems} more");
                return list;
            case JsonValue text when text.TryGetValue<string>(out var s):
                return Shorter(WithoutCredentials(s));
            default:
                return value?.DeepClone();
        }
    }

    private static JsonNode Sanitized(string field, string value) => Sanitized(field, JsonValue.Create(value))!;

    /// <summary>A URL without its user information and with secret-named query values hidden; any other text as it is.</summary>
    private static string WithoutCredentials(string text)
    {
        if (!text.StartsWith("http://", StringComparison.OrdinalIgnoreCase) && !text.StartsWith("https://", StringComparison.OrdinalIgnoreCase)) return text;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri)) return text;
        var builder = new UriBuilder(uri) { UserName = "", Password = "" };
        var query = uri.Query.TrimStart('?');
        if (query.Length > 0)
        {
            builder.Query = string.Join('&', query.Split('&').Select(pair =>
            {
                var name = pair.Split('=', 2)[0];
                return IsSecret(Uri.UnescapeDataString(name)) ? name + "=" + HiddenText : pair;
            }));
        }
        return uri.UserInfo.Length == 0 && builder.Query.TrimStart('?') == query ? text : builder.Uri.ToString();
    }

    /// <summary>The summary as stored; one too long to keep whole keeps its field names only.</summary>
    private static string Capped(JsonObject summary)
    {
        var json = summary.ToJsonString();
        if (json.Length <= MaxSummary) return json;
        return new JsonObject { ["fields"] = new JsonArray([.. summary.Select(p => (JsonNode)p.Key)]), ["note"] = "(too long to record whole)" }.ToJsonString();
    }

    private static string Shorter(string value) => value.Length <= MaxText ? value : value[..MaxText] + "…";

    private static bool IsSecret(string field)
    {
        var name = field.ToLowerInvariant();
        return SecretWords.Any(word => name.Contains(word, StringComparison.Ordinal)) || name.EndsWith("key", StringComparison.Ordinal) || name is "pin";
    }

    private static JsonNode Hidden => JsonValue.Create(HiddenText);
}
