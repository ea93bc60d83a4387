using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Engine.Persistence.Admin;
using Engine.Web.Auth;
using Engine.Web.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Engine.Web.Api;

/// <summary>
/// The audit trail: a tenant's admins read the changes made to their tenant (the operator's among them); the
/// operator reads the platform's whole trail. Newest first, a page at a time: <c>next</c> is the cursor of the page after.
/// </summary>
public static class AuditApi
{
    public static IEndpointRouteBuilder MapAuditApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/v1/tenants/{tenantId}/audit").WithTags("Audit trail")
            .RequireTenantMember(allowOperator: true).RequireAuthorization(Policies.OperatorOrAdmin)
            .MapGet("", ListTenant);
        app.MapGet("/api/v1/audit", ListPlatform).WithTags("Audit trail").RequireAuthorization(Policies.Operator);
        return app;
    }

    public sealed record Actor(string Id, string Role, string? Name, string? Email, string Via);

    public sealed record Target(string Type, string? Id);

    public sealed record AuditView(string Id, string? TenantId, DateTimeOffset At, Actor Actor, string? Address, string Method, string Route, Target Target, JsonElement Changes);

    public sealed record AuditPage(IReadOnlyList<AuditView> Items, string? Next);

    /// <summary>The tenant's trail, filtered by actor, target (id and type) and time range (<c>from</c> included, <c>to</c> not).</summary>
    public static async Task<Ok<AuditPage>> ListTenant(
        string tenantId, string? actorId, string? targetId, string? targetType, DateTimeOffset? from, DateTimeOffset? to, string? cursor, int? limit,
        AuditStore store, CancellationToken cancellationToken)
        => await PageAsync(new AuditFilter(tenantId), actorId, targetId, targetType, from, to, cursor, limit, store, cancellationToken);

    /// <summary>Every record; <c>tenantId</c> narrows it to one tenant's, <c>tenantId=platform</c> to the platform's own (the operator's account).</summary>
    public static async Task<Ok<AuditPage>> ListPlatform(
        string? tenantId, string? actorId, string? targetId, string? targetType, DateTimeOffset? from, DateTimeOffset? to, string? cursor, int? limit,
        AuditStore store, CancellationToken cancellationToken)
    {
        var scope = tenantId switch
        {
            null or "" => new AuditFilter(null, AllTenants: true),
            "platform" => new AuditFilter(null),
            _ => new AuditFilter(tenantId),
        };
        return await PageAsync(scope, actorId, targetId, targetType, from, to, cursor, limit, store, cancellationToken);
    }

    private static async Task<Ok<AuditPage>> PageAsync(
        AuditFilter scope, string? actorId, string? targetId, string? targetType, DateTimeOffset? from, DateTimeOffset? to, string? cursor, int? limit,
        AuditStore store, CancellationToken cancellationToken)
    {
        var checks = new Checks();
        var take = checks.Range("limit", limit, 1, Paging.MaxLimit, Paging.DefaultLimit);
        var before = cursor is null ? null : CursorOf(cursor, checks);
        if (from is not null && to is not null && to <= from) checks.Add("to", "must be after from");
        var filter = scope with
        {
            ActorId = Id(checks, "actorId", actorId), TargetId = Id(checks, "targetId", targetId), TargetType = Id(checks, "targetType", targetType),
            From = from?.ToUnixTimeMilliseconds(), To = to?.ToUnixTimeMilliseconds(), Before = before,
        };
        checks.ThrowIfAny();
        var (items, more) = await store.ListAsync(filter, take, cancellationToken);
        return TypedResults.Ok(new AuditPage([.. items.Select(ViewOf)], more ? CursorFor(items[^1]) : null));
    }

    /// <summary>An id or type to filter by: up to 100 printable characters; blank means any.</summary>
    private static string? Id(Checks checks, string field, string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        if (value.Length > 100 || value.Any(char.IsControl)) checks.Add(field, "is not an id (at most 100 printable characters)");
        return value;
    }

    private static string CursorFor(AuditRow row)
        => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(row.At.ToString(CultureInfo.InvariantCulture) + ":" + row.Id));

    private static (long, string)? CursorOf(string cursor, Checks checks)
    {
        var text = "";
        try
        {
            text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor));
        }
        catch (FormatException)
        {
            // Answered below like any other malformed cursor.
        }
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        // The position of a record: its time and its id (16 hex digits).
        if (colon > 0 && long.TryParse(text.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var at)
            && text.Length - colon - 1 == 16 && text.AsSpan(colon + 1).ContainsAnyExcept("0123456789abcdef") is false)
            return (at, text[(colon + 1)..]);
        checks.Add("cursor", "is not a cursor this list gave (use the next value of the page before)");
        return null;
    }

    private static AuditView ViewOf(AuditRow r) => new(
        r.Id, r.TenantId, UnixTime.At(r.At), new Actor(r.ActorId, r.ActorRole, r.ActorName, r.ActorEmail, r.Via), r.Address, r.Method, r.Route,
        new Target(r.TargetType, r.TargetId), JsonSerializer.Deserialize<JsonElement>(r.Summary));
}
