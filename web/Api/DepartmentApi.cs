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

    public static async Task<Created<DepartmentView>> Create(string tenantId, DepartmentBody body, DepartmentStore departments, TimeProvider time, CancellationToken cancellationToken)
    {
        var checks = new Checks();
        var name = checks.Text("name", body.Name, MaxNameCharacters);
        var parentId = string.IsNullOrWhiteSpace(body.ParentId) ? null : body.ParentId.Trim();
        checks.ThrowIfAny();
        var tree = await departments.ListAsync(tenantId, cancellationToken);
        if (parentId is not null) CheckPlace(tree, null, parentId);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var row = new DepartmentRow { Id = Ids.New(), Name = name, ParentId = parentId, CreatedAt = now, UpdatedAt = now };
        if (!await departments.InsertAsync(tenantId, row, cancellationToken))
            throw RequestValidationException.For("name", $"cannot be added: a tenant has at most {DepartmentStore.MaxPerTenant} departments");
        return TypedResults.Created($"/api/v1/tenants/{tenantId}/departments/{row.Id}", ViewOf(row));
    }

    /// <summary>Renames or moves a department; a move reaches the staff of the accounts above its old and new places.</summary>
    public static async Task<Ok<DepartmentView>> Update(string tenantId, string departmentId, DepartmentChange body, DepartmentStore departments, MarketingService marketing, TimeProvider time, CancellationToken cancellationToken)
    {
        var row = await Require(departments, tenantId, departmentId, cancellationToken);
        var checks = new Checks();
        var name = body.Name is null ? row.Name : checks.Text("name", body.Name, MaxNameCharacters);
        checks.ThrowIfAny();
        var parentId = body.ParentId is null ? row.ParentId : body.ParentId.Trim() is { Length: > 0 } id ? id : null;
        if (parentId is not null && parentId != row.ParentId) CheckPlace(await departments.ListAsync(tenantId, cancellationToken), departmentId, parentId);
        await departments.UpdateAsync(tenantId, departmentId, name, parentId, time.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken);
        if (parentId != row.ParentId) await marketing.SyncDepartmentAsync(tenantId, null, cancellationToken);
        return TypedResults.Ok(ViewOf((await departments.GetAsync(tenantId, departmentId, cancellationToken))!));
    }

    /// <summary>Refused (409) while it has sub-departments; its members leave the accounts it brought them to.</summary>
    public static async Task<NoContent> Delete(string tenantId, string departmentId, DepartmentStore departments, MarketingService marketing, CancellationToken cancellationToken)
    {
        await Require(departments, tenantId, departmentId, cancellationToken);
        if (!await departments.DeleteAsync(tenantId, departmentId, cancellationToken))
            throw new Engine.StateMachines.DomainException($"Department {departmentId} has sub-departments; move or delete them first.");
        await marketing.SyncDepartmentAsync(tenantId, null, cancellationToken);
        return TypedResults.NoContent();
    }

    public static async Task<Ok<IReadOnlyList<string>>> Members(string tenantId, string departmentId, DepartmentStore departments, CancellationToken cancellationToken)
    {
        await Require(departments, tenantId, departmentId, cancellationToken);
        return TypedResults.Ok(await departments.MembersAsync(tenantId, departmentId, cancellationToken));
    }

    /// <summary>Adds agents; refused when that would take an account naming the department past 200 people (MK-2).</summary>
    public static async Task<NoContent> AddMembers(string tenantId, string departmentId, MembersBody body, DepartmentStore departments, UserStore users, MarketingService marketing, TimeProvider time, CancellationToken cancellationToken)
    {
        var checks = new Checks();
        var ids = checks.Ids("agentIds", body.AgentIds, MarketingService.MaxStaff);
        if (ids is not { Count: > 0 }) checks.Add("agentIds", "must name at least one agent");
        checks.ThrowIfAny();
        await Require(departments, tenantId, departmentId, cancellationToken);
        var unknown = new List<string>();
        foreach (var id in ids!)
            if (await users.GetInTenantAsync(tenantId, id, null, cancellationToken) is not { Role: not Roles.Operator }) unknown.Add(id);
        if (unknown.Count > 0) throw RequestValidationException.For("agentIds", $"names unknown agent(s): {string.Join(", ", unknown)}");
        if ((await marketing.OverStaffedAsync(tenantId, departmentId, ids!, cancellationToken)).FirstOrDefault() is { AccountId: { } account } over)
            throw RequestValidationException.For("agentIds", $"would give marketing account {account} {over.People} people; an account's staff is at most {MarketingService.MaxStaff} (MK-2)");
        await departments.AddMembersAsync(tenantId, departmentId, ids!, time.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken);
        await marketing.SyncDepartmentAsync(tenantId, departmentId, cancellationToken);
        return TypedResults.NoContent();
    }

    public static async Task<NoContent> RemoveMember(string tenantId, string departmentId, string agentId, DepartmentStore departments, MarketingService marketing, CancellationToken cancellationToken)
    {
        await Require(departments, tenantId, departmentId, cancellationToken);
        if (!await departments.RemoveMemberAsync(tenantId, departmentId, agentId, cancellationToken)) throw new NotFoundException($"Member {agentId} of department {departmentId}");
        await marketing.SyncDepartmentAsync(tenantId, departmentId, cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>The parent must exist, not be the department or below it (no cycles), and leave the tree at most five deep.</summary>
    private static void CheckPlace(IReadOnlyList<DepartmentRow> tree, string? moving, string parentId)
    {
        var byId = tree.ToDictionary(d => d.Id, StringComparer.Ordinal);
        if (!byId.ContainsKey(parentId)) throw RequestValidationException.For("parentId", "names an unknown department");
        var depth = 1;
        for (var at = parentId; at is not null; at = byId[at].ParentId, depth++)
            if (at == moving) throw RequestValidationException.For("parentId", "must not be the department itself or one below it");
        var below = moving is null ? 0 : Height(tree, moving);
        if (depth + below > DepartmentStore.MaxDepth) throw RequestValidationException.For("parentId", $"would make the tree deeper than {DepartmentStore.MaxDepth} levels");
    }

    /// <summary>How many levels hang below a department (0 for a leaf).</summary>
    private static int Height(IReadOnlyList<DepartmentRow> tree, string id)
    {
        var children = tree.Where(d => d.ParentId == id).ToList();
        return children.Count == 0 ? 0 : 1 + children.Max(c => Height(tree, c.Id));
    }

    private static async Task<DepartmentRow> Require(DepartmentStore departments, string tenantId, string id, CancellationToken cancellationToken)
        => await departments.GetAsync(tenantId, id, cancellationToken) ?? throw new NotFoundException($"Department {id}");

    private static DepartmentView ViewOf(DepartmentRow d) => new(d.Id, d.Name, d.ParentId, d.Members, UnixTime.At(d.CreatedAt), UnixTime.At(d.UpdatedAt));
}
