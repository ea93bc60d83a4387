using Engine.Persistence.Admin;
using Engine.Web.Admin;
using Engine.Web.Auth;
using Engine.Web.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Engine.Web.Api;

/// <summary>AG-1..AG-3: a tenant's agents and admin-role agents, managed by its admins.</summary>
public static class AgentApi
{
    /// <summary>The most skill groups one agent can be in.</summary>
    public const int MaxSkillGroups = 100;

    private static readonly Dictionary<string, string> RoleChoices = new(StringComparer.Ordinal) { ["admin"] = Roles.Admin, ["agent"] = Roles.Agent };

    public static IEndpointRouteBuilder MapAgentApi(this IEndpointRouteBuilder app)
    {
        var agents = app.MapGroup("/api/v1/tenants/{tenantId}/agents").WithTags("Agents").RequireTenantMember().RequireAuthorization(Policies.Admin).Audited("agent", "agentId");
        agents.MapGet("", List);
        agents.MapPost("", Create);
        agents.MapGet("/{agentId}", Get);
        agents.MapPatch("/{agentId}", Update);
        agents.MapDelete("/{agentId}", Delete);
        agents.MapPost("/{agentId}/reset-password", ResetPassword);
        return app;
    }

    public sealed record NewAgentRequest(string? Name, string? StaffNo, string? Email, string? Nickname, string? Phone, string? Role, IReadOnlyList<string?>? SkillGroupIds);

    /// <summary>AG-3: what may change. Staff number, email and role are here only to refuse them by name.</summary>
    public sealed record AgentChange(string? Name, string? Nickname, string? Phone, IReadOnlyList<string?>? SkillGroupIds, string? StaffNo, string? Email, string? Role);

    public sealed record AgentView(string Id, string Name, string? StaffNo, string Email, string? Nickname, string? Phone, string Role, IReadOnlyList<string> SkillGroupIds, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

    public sealed record CreatedAgent(AgentView Agent, string InitialPassword);

    public sealed record NewPassword(string InitialPassword);

    public static async Task<Ok<PageOf<AgentView>>> List(string tenantId, string? email, string? name, string? phone, string? skillGroupId, int? offset, int? limit, UserStore users, SkillGroupStore groups, CancellationToken cancellationToken)
    {
        var paging = Paging.From(offset, limit);
        var page = await users.ListAsync(tenantId, new UserFilter(null, email, name, phone, skillGroupId), paging.Offset, paging.Limit, cancellationToken);
        var memberOf = await groups.GroupsOfAsync(tenantId, [.. page.Items.Select(u => u.Id)], cancellationToken);
        return TypedResults.Ok(new PageOf<AgentView>([.. page.Items.Select(u => ViewOf(u, memberOf[u.Id]))], page.Total, page.Offset, page.Limit));
    }

    public static async Task<Created<CreatedAgent>> Create(string tenantId, NewAgentRequest request, AgentService agents, CancellationToken cancellationToken)
    {
        var agent = Validate(request);
        var (user, initial) = (await agents.CreateAsync(tenantId, [agent], cancellationToken))[0];
        return TypedResults.Created($"/api/v1/tenants/{tenantId}/agents/{user.Id}", new CreatedAgent(ViewOf(user, agent.SkillGroupIds), initial));
    }

    public static async Task<Ok<AgentView>> Get(string tenantId, string agentId, AgentService agents, SkillGroupStore groups, CancellationToken cancellationToken)
    {
        var user = await agents.RequireAsync(tenantId, agentId, cancellationToken);
        return TypedResults.Ok(ViewOf(user, (await groups.GroupsOfAsync(tenantId, [agentId], cancellationToken))[agentId]));
    }

    public static async Task<Ok<AgentView>> Update(string tenantId, string agentId, AgentChange request, AgentService agents, SkillGroupStore groups, CancellationToken cancellationToken)
    {
        var checks = new Checks();
        if (request.StaffNo is not null) checks.Add("staffNo", "cannot be changed (AG-1)");
        if (request.Email is not null) checks.Add("email", "cannot be changed (AG-1)");
        if (request.Role is not null) checks.Add("role", "cannot be changed (AG-1)");
        var current = await agents.RequireAsync(tenantId, agentId, cancellationToken);
        var name = request.Name is null ? current.Name : checks.Text("name", request.Name, 50);
        var nickname = request.Nickname is null ? current.Nickname : checks.OptionalText("nickname", request.Nickname, 20);
        var phone = request.Phone is null ? current.Phone : checks.Phone("phone", request.Phone);
        var groupIds = checks.Ids("skillGroupIds", request.SkillGroupIds, MaxSkillGroups);
        checks.ThrowIfAny();
        var user = await agents.UpdateAsync(tenantId, agentId, name, nickname, phone, groupIds, cancellationToken);
        return TypedResults.Ok(ViewOf(user, (await groups.GroupsOfAsync(tenantId, [agentId], cancellationToken))[agentId]));
    }

    public static async Task<NoContent> Delete(string tenantId, string agentId, AgentService agents, CancellationToken cancellationToken)
    {
        await agents.DeleteAsync(tenantId, agentId, cancellationToken);
        return TypedResults.NoContent();
    }

    public static async Task<Ok<NewPassword>> ResetPassword(string tenantId, string agentId, AgentService agents, CancellationToken cancellationToken)
        => TypedResults.Ok(new NewPassword(await agents.ResetPasswordAsync(tenantId, agentId, null, cancellationToken)));

    /// <summary>AG-1: the fields of one new agent, checked together.</summary>
    public static NewAgent Validate(NewAgentRequest request, string prefix = "")
    {
        var checks = new Checks();
        var name = checks.Text(prefix + "name", request.Name, 50);
        var staffNo = checks.Text(prefix + "staffNo", request.StaffNo, 32);
        var email = checks.Email(prefix + "email", request.Email);
        var nickname = checks.OptionalText(prefix + "nickname", request.Nickname, 20);
        var phone = checks.Phone(prefix + "phone", request.Phone);
        var role = checks.OneOf(prefix + "role", request.Role ?? "agent", RoleChoices);
        var groups = checks.Ids(prefix + "skillGroupIds", request.SkillGroupIds, MaxSkillGroups);
        checks.ThrowIfAny();
        return new NewAgent(name, staffNo, email, nickname, phone, role, groups ?? []);
    }

    private static AgentView ViewOf(UserRow u, IEnumerable<string> groupIds) => new(
        u.Id, u.Name, u.StaffNo, u.Email, u.Nickname, u.Phone, u.Role, [.. groupIds], UnixTime.At(u.CreatedAt), UnixTime.At(u.UpdatedAt));
}
