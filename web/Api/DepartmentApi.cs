using Engine.Persistence.Admin;
using Engine.Web.Admin;
using Engine.Web.Auth;
using Engine.Web.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Engine.Web.Api;

/// <summary>
/// MK-2: departments, a small tree of the tenant's agents. An agent who joins a department joins the staff of every
/// marketing account naming it or a department above it, at once; one who leaves it leaves them.
/// </summary>
public static class DepartmentApi
{
    public const int MaxNameCharacters = 30;

    public static IEndpointRouteBuilder MapDepartmentApi(this IEndpointRouteBuilder app)
    {
        var departments = app.MapGroup("/api/v1/tenants/{tenantId}/departments").WithTags("Departments").RequireTenantMember()
            .RequireAuthorization(Policies.Admin).Audited("department", "departmentId");
        departments.MapGet("", List);
        departments.MapPost("", Create);
        departments.MapPatch("/{departmentId}", Update);
        departments.MapDelete("/{departmentId}", Delete);
        departments.MapGet("/{departmentId}/members", Members);
        departments.MapPost("/{departmentId}/members", AddMembers);
        departments.MapDelete("/{departmentId}/members/{agentId}", RemoveMember);
        return app;
    }

    /// <summary>A department under <see cref="ParentId"/> (none: at the top).</summary>
    public sealed record DepartmentBody(string? Name, string? ParentId);

    /// <summary><see cref="ParentId"/> "" moves the department to the top.</summary>
    public sealed record DepartmentChange(string? Name, string? ParentId);

    public sealed record MembersBody(IReadOnlyList<string?>? AgentIds);

    public sealed record DepartmentView(string Id, string Name, string? ParentId, long Members, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

    /// <summary>The whole tree, each department after its parent.</summary>
    public static async Task<Ok<IReadOnlyList<DepartmentView>>> List(string tenantId, DepartmentStore departments, CancellationToken cancellationToken)
        => TypedResults.Ok<IReadOnlyList<DepartmentView>>([.. (await departments.ListAsync(tenantId, cancellationToken)).Select(ViewOf)]);

    public static async Task<Created<DepartmentView>> Create(string tenantId, DepartmentBody body, DepartmentService service, CancellationToken cancellationToken)
    {
        var checks = new Checks();
        var name = checks.Text("name", body.Name, MaxNameCharacters);
        checks.ThrowIfAny();
        var row = await service.CreateAsync(tenantId, name, string.IsNullOrWhiteSpace(body.ParentId) ? null : body.ParentId.Trim(), cancellationToken);
        return TypedResults.Created($"/api/v1/tenants/{tenantId}/departments/{row.Id}", ViewOf(row));
    }

    /// <summary>Renames or moves a department (a field left out keeps its value).</summary>
    public static async Task<Ok<DepartmentView>> Update(string tenantId, string departmentId, DepartmentChange body, DepartmentService service, CancellationToken cancellationToken)
    {
        var row = await service.RequireAsync(tenantId, departmentId, cancellationToken);
        var checks = new Checks();
        var name = body.Name is null ? row.Name : checks.Text("name", body.Name, MaxNameCharacters);
        checks.ThrowIfAny();
        var parentId = body.ParentId is null ? row.ParentId : body.ParentId.Trim() is { Length: > 0 } id ? id : null;
        return TypedResults.Ok(ViewOf(await service.ChangeAsync(row, tenantId, name, parentId, cancellationToken)));
    }

    /// <summary>Refused (409) while it has sub-departments; its members leave the accounts it brought them to.</summary>
    public static async Task<NoContent> Delete(string tenantId, string departmentId, DepartmentService service, CancellationToken cancellationToken)
    {
        await service.DeleteAsync(tenantId, departmentId, cancellationToken);
        return TypedResults.NoContent();
    }

    public static async Task<Ok<IReadOnlyList<string>>> Members(string tenantId, string departmentId, DepartmentService service, DepartmentStore departments, CancellationToken cancellationToken)
    {
        await service.RequireAsync(tenantId, departmentId, cancellationToken);
        return TypedResults.Ok(await departments.MembersAsync(tenantId, departmentId, cancellationToken));
    }

    /// <summary>Adds agents; refused when that would take an account naming the department past 200 people (MK-2).</summary>
    public static async Task<NoContent> AddMembers(string tenantId, string departmentId, MembersBody body, DepartmentService service, CancellationToken cancellationToken)
    {
        var checks = new Checks();
        var ids = checks.Ids("agentIds", body.AgentIds, MarketingService.MaxStaff);
        if (ids is not { Count: > 0 }) checks.Add("agentIds", "must name at least one agent");
        checks.ThrowIfAny();
        await service.AddMembersAsync(tenantId, departmentId, ids!, cancellationToken);
        return TypedResults.NoContent();
    }

    public static async Task<NoContent> RemoveMember(string tenantId, string departmentId, string agentId, DepartmentService service, CancellationToken cancellationToken)
    {
        await service.RemoveMemberAsync(tenantId, departmentId, agentId, cancellationToken);
        return TypedResults.NoContent();
    }

    private static DepartmentView ViewOf(DepartmentRow d) => new(d.Id, d.Name, d.ParentId, d.Members, UnixTime.At(d.CreatedAt), UnixTime.At(d.UpdatedAt));
}
