using Engine.Persistence.Admin;
using Engine.Web.Admin;
using Engine.Web.Auth;
using Engine.Web.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Engine.Web.Api;

/// <summary>TN-1: tenants (call-center instances), created by the platform operator; and API tokens for a tenant's scripts.</summary>
public static class TenantApi
{
    public static IEndpointRouteBuilder MapTenantApi(this IEndpointRouteBuilder app)
    {
        var tenants = app.MapGroup("/api/v1/tenants").WithTags("Tenants");
        tenants.MapPost("", Create).RequireAuthorization(Policies.Operator).Audited("tenant");
        tenants.MapGet("", List).RequireAuthorization(Policies.Operator);

        var tenant = app.MapGroup("/api/v1/tenants/{tenantId}").WithTags("Tenants").RequireTenantMember(allowOperator: true);
        tenant.MapGet("", Get).RequireAuthorization(Policies.OperatorOrAdmin);
        tenant.MapPatch("", Rename).RequireAuthorization(Policies.OperatorOrAdmin).Audited("tenant", "tenantId");
        return app;
    }

    public sealed record NewTenant(string? Name, string? AdminName, string? AdminEmail, string? AdminPhone);

    public sealed record TenantChange(string? Name, string? TimeZone);

    public sealed record TenantView(string Id, string Name, string TimeZone, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

    public sealed record CreatedTenant(string Id, string Name, DateTimeOffset CreatedAt, string AdminId, string AdminEmail, string InitialPassword);

    public static async Task<Created<CreatedTenant>> Create(NewTenant request, TenantService service, CancellationToken cancellationToken)
    {
        var checks = new Checks();
        var name = checks.Text("name", request.Name, 50);
        var adminName = checks.Text("adminName", request.AdminName, 50);
        var adminEmail = checks.Email("adminEmail", request.AdminEmail);
        var adminPhone = checks.Phone("adminPhone", request.AdminPhone);
        checks.ThrowIfAny();
        var (tenant, admin, initial) = await service.CreateAsync(name, adminName, adminEmail, adminPhone, cancellationToken);
        return TypedResults.Created($"/api/v1/tenants/{tenant.Id}",
            new CreatedTenant(tenant.Id, tenant.Name, UnixTime.At(tenant.CreatedAt), admin.Id, admin.Email, initial));
    }

    public static async Task<Ok<PageOf<TenantView>>> List(int? offset, int? limit, TenantStore tenants, CancellationToken cancellationToken)
    {
        var paging = Paging.From(offset, limit);
        var page = await tenants.ListAsync(paging.Offset, paging.Limit, cancellationToken);
        return TypedResults.Ok(new PageOf<TenantView>([.. page.Items.Select(ViewOf)], page.Total, page.Offset, page.Limit));
    }

    public static async Task<Ok<TenantView>> Get(string tenantId, TenantStore tenants, CancellationToken cancellationToken)
        => TypedResults.Ok(ViewOf(await tenants.GetAsync(tenantId, cancellationToken) ?? throw new NotFoundException($"Tenant {tenantId}")));

    /// <summary>TN-1: the name is editable, and the time zone (an IANA name) of reception hours and natural days; the id is not. A field left out keeps its value.</summary>
    public static async Task<Ok<TenantView>> Rename(string tenantId, TenantChange request, TenantStore tenants, Engine.Persistence.Dashboard.DashboardRollups rollups, TimeProvider time, CancellationToken cancellationToken)
    {
        var current = await tenants.GetAsync(tenantId, cancellationToken) ?? throw new NotFoundException($"Tenant {tenantId}");
        var checks = new Checks();
        var name = request.Name is null ? current.Name : checks.Text("name", request.Name, 50);
        var zone = request.TimeZone is null ? current.TimeZone : checks.TimeZone("timeZone", request.TimeZone);
        checks.ThrowIfAny();
        if (!await tenants.RenameAsync(tenantId, name, zone, time.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken)) throw new NotFoundException($"Tenant {tenantId}");
        // DB-1: the natural days are the new zone's, for the history too.
        if (zone != current.TimeZone) await rollups.RollUpAgainAsync(tenantId, cancellationToken);
        return await Get(tenantId, tenants, cancellationToken);
    }

    private static TenantView ViewOf(TenantRow t) => new(t.Id, t.Name, t.TimeZone, UnixTime.At(t.CreatedAt), UnixTime.At(t.UpdatedAt));
}
