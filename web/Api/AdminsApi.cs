using Engine.Persistence.Admin;
using Engine.Web.Admin;
using Engine.Web.Auth;
using Engine.Web.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Engine.Web.Api;

/// <summary>TN-2: a tenant's admins (name, email as login, optional phone), managed by the operator and by the tenant's admins.</summary>
public static class AdminsApi
{
    public static IEndpointRouteBuilder MapAdminsApi(this IEndpointRouteBuilder app)
    {
        var admins = app.MapGroup("/api/v1/tenants/{tenantId}/admins").WithTags("Tenant admins")
            .RequireTenantMember(allowOperator: true).RequireAuthorization(Policies.OperatorOrAdmin).Audited("admin", "adminId");
        admins.MapGet("", List);
        admins.MapPost("", Create);
        admins.MapPatch("/{adminId}", Update);
        admins.MapPost("/{adminId}/reset-password", ResetPassword);
        admins.MapDelete("/{adminId}", Delete);
        return app;
    }

    public sealed record NewAdmin(string? Name, string? Email, string? Phone);

    /// <summary>TN-2: name and phone change; the email (the login) is here only to refuse it by name.</summary>
    public sealed record AdminChange(string? Name, string? Phone, string? Email);

    public sealed record AdminView(string Id, string Name, string Email, string? Phone, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

    public sealed record CreatedAdmin(AdminView Admin, string InitialPassword);

    public static async Task<Ok<PageOf<AdminView>>> List(string tenantId, int? offset, int? limit, UserStore users, TenantStore tenants, CancellationToken cancellationToken)
    {
        _ = await tenants.GetAsync(tenantId, cancellationToken) ?? throw new NotFoundException($"Tenant {tenantId}");
        var paging = Paging.From(offset, limit);
        var page = await users.ListAsync(tenantId, new UserFilter(Role: Roles.Admin), paging.Offset, paging.Limit, cancellationToken);
        return TypedResults.Ok(new PageOf<AdminView>([.. page.Items.Select(ViewOf)], page.Total, page.Offset, page.Limit));
    }

    public static async Task<Created<CreatedAdmin>> Create(string tenantId, NewAdmin request, AgentService agents, TenantStore tenants, CancellationToken cancellationToken)
    {
        _ = await tenants.GetAsync(tenantId, cancellationToken) ?? throw new NotFoundException($"Tenant {tenantId}");
        var checks = new Checks();
        var name = checks.Text("name", request.Name, 50);
        var email = checks.Email("email", request.Email);
        var phone = checks.Phone("phone", request.Phone);
        checks.ThrowIfAny();
        var (user, initial) = (await agents.CreateAsync(tenantId, [new NewAgent(name, null, email, null, phone, Roles.Admin, [])], cancellationToken))[0];
        return TypedResults.Created($"/api/v1/tenants/{tenantId}/admins/{user.Id}", new CreatedAdmin(ViewOf(user), initial));
    }

    public static async Task<Ok<AdminView>> Update(string tenantId, string adminId, AdminChange request, AgentService agents, CancellationToken cancellationToken)
    {
        var checks = new Checks();
        if (request.Email is not null) checks.Add("email", "cannot be changed; it is the admin's sign-in (TN-2)");
        var current = await agents.RequireAsync(tenantId, adminId, cancellationToken, Roles.Admin);
        var name = request.Name is null ? current.Name : checks.Text("name", request.Name, 50);
        var phone = request.Phone is null ? current.Phone : checks.Phone("phone", request.Phone);
        checks.ThrowIfAny();
        return TypedResults.Ok(ViewOf(await agents.UpdateAsync(tenantId, adminId, name, current.Nickname, phone, null, cancellationToken)));
    }

    public static async Task<Ok<AgentApi.NewPassword>> ResetPassword(string tenantId, string adminId, AgentService agents, CancellationToken cancellationToken)
        => TypedResults.Ok(new AgentApi.NewPassword(await agents.ResetPasswordAsync(tenantId, adminId, Roles.Admin, cancellationToken)));

    /// <summary>TN-2: a deleted admin can no longer sign in. A tenant keeps at least one admin.</summary>
    public static async Task<NoContent> Delete(string tenantId, string adminId, AgentService agents, CancellationToken cancellationToken)
    {
        await agents.RequireAsync(tenantId, adminId, cancellationToken, Roles.Admin);
        await agents.DeleteAsync(tenantId, adminId, cancellationToken);
        return TypedResults.NoContent();
    }

    private static AdminView ViewOf(UserRow u) => new(u.Id, u.Name, u.Email, u.Phone, UnixTime.At(u.CreatedAt), UnixTime.At(u.UpdatedAt));
}
