using Engine.Grains.Routing;
using Engine.Persistence.Admin;
using Engine.Routing;
using Engine.Web.Admin;
using Engine.Web.Auth;
using Engine.Web.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Engine.Web.Api;

/// <summary>SG-1..SG-5: skill groups and their members; every change reaches the routing grains at once.</summary>
public static class SkillGroupApi
{
    public const int MaxNameCharacters = 20;
    public const int MaxReceptionCap = 100;

    public static IEndpointRouteBuilder MapSkillGroupApi(this IEndpointRouteBuilder app)
    {
        var groups = app.MapGroup("/api/v1/tenants/{tenantId}/skill-groups").WithTags("Skill groups").RequireTenantMember().RequireAuthorization(Policies.Admin).Audited("skill-group", "groupId");
        groups.MapGet("", List);
        groups.MapPost("", Create);
        groups.MapGet("/{groupId}", Get);
        groups.MapPatch("/{groupId}", Update);
        groups.MapDelete("/{groupId}", Delete);
        groups.MapGet("/{groupId}/members", Members);
        groups.MapPost("/{groupId}/members", AddMembers);
        groups.MapDelete("/{groupId}/members/{agentId}", RemoveMember);
        groups.MapGet("/{groupId}/queue", Queue);
        return app;
    }

    public sealed record NewSkillGroup(string? Name, string? Mode, int? ReceptionCap, IReadOnlyList<string?>? OverflowGroupIds);

    /// <summary>The mode is fixed at creation (SG-1): it is here only to refuse it by name.</summary>
    public sealed record SkillGroupChange(string? Name, int? ReceptionCap, IReadOnlyList<string?>? OverflowGroupIds, string? Mode);

    public sealed record NewMembers(IReadOnlyList<string?>? AgentIds);

    public sealed record SkillGroupView(string Id, string Name, string Mode, int ReceptionCap, IReadOnlyList<string> OverflowGroupIds, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

    /// <summary>A group with its live figures from the routing grain.</summary>
    public sealed record SkillGroupDetail(SkillGroupView Group, int QueueLength, int OnlineAgents, int AvailableAgents);

    public sealed record MemberView(string AgentId, string Name, string Email);

    /// <summary>RT-1, RT-6: the conversations waiting, first in line first.</summary>
    public sealed record QueueView(string GroupId, IReadOnlyList<string> ConversationIds);

    public static async Task<Ok<PageOf<SkillGroupView>>> List(string tenantId, string? mode, int? offset, int? limit, SkillGroupStore groups, SkillGroupService service, CancellationToken cancellationToken)
    {
        var paging = Paging.From(offset, limit);
        if (mode is not null && !SkillGroupService.Modes.ContainsKey(mode)) throw RequestValidationException.For("mode", "must be one of: online, phone, omni");
        var page = await groups.ListAsync(tenantId, mode, paging.Offset, paging.Limit, cancellationToken);
        var views = await Task.WhenAll(page.Items.Select(async g => ViewOf(g, await service.LiveAsync(tenantId, g.Id))));
        return TypedResults.Ok(new PageOf<SkillGroupView>(views, page.Total, page.Offset, page.Limit));
    }

    public static async Task<Created<SkillGroupView>> Create(string tenantId, NewSkillGroup request, SkillGroupService service, CancellationToken cancellationToken)
    {
        var checks = new Checks();
        var name = checks.Text("name", request.Name, MaxNameCharacters);
        var mode = checks.OneOf("mode", request.Mode, SkillGroupService.Modes);
        var cap = Cap(checks, mode, request.ReceptionCap);
        var overflow = checks.Ids("overflowGroupIds", request.OverflowGroupIds, 20);
        checks.ThrowIfAny();
        var (row, live) = await service.CreateAsync(tenantId, name, mode, cap, overflow ?? [], cancellationToken);
        return TypedResults.Created($"/api/v1/tenants/{tenantId}/skill-groups/{row.Id}", ViewOf(row, live));
    }

    public static async Task<Ok<SkillGroupDetail>> Get(string tenantId, string groupId, SkillGroupService service, CancellationToken cancellationToken)
    {
        var row = await service.RequireAsync(tenantId, groupId, cancellationToken);
        var live = await service.LiveAsync(tenantId, groupId);
        return TypedResults.Ok(new SkillGroupDetail(ViewOf(row, live), live.Queue.Count, live.OnlineAgents, live.AvailableAgents));
    }

    public static async Task<Ok<SkillGroupView>> Update(string tenantId, string groupId, SkillGroupChange request, SkillGroupService service, CancellationToken cancellationToken)
    {
        var checks = new Checks();
        if (request.Mode is not null) checks.Add("mode", "cannot be changed; the mode is fixed when the group is created (SG-1)");
        var name = request.Name is null ? null : checks.Text("name", request.Name, MaxNameCharacters);
        var current = await service.RequireAsync(tenantId, groupId, cancellationToken);
        int? cap = request.ReceptionCap is null ? null : Cap(checks, SkillGroupService.ParseMode(current.Mode), request.ReceptionCap);
        var overflow = checks.Ids("overflowGroupIds", request.OverflowGroupIds, 20);
        checks.ThrowIfAny();
        var (row, live) = await service.UpdateAsync(tenantId, groupId, name, cap, overflow, cancellationToken);
        return TypedResults.Ok(ViewOf(row, live));
    }

    public static async Task<NoContent> Delete(string tenantId, string groupId, SkillGroupService service, CancellationToken cancellationToken)
    {
        await service.DeleteAsync(tenantId, groupId, cancellationToken);
        return TypedResults.NoContent();
    }

    public static async Task<Ok<PageOf<MemberView>>> Members(string tenantId, string groupId, int? offset, int? limit, SkillGroupService service, SkillGroupStore groups, CancellationToken cancellationToken)
    {
        var paging = Paging.From(offset, limit);
        await service.RequireAsync(tenantId, groupId, cancellationToken);
        var page = await groups.MembersAsync(groupId, paging.Offset, paging.Limit, cancellationToken);
        return TypedResults.Ok(new PageOf<MemberView>([.. page.Items.Select(m => new MemberView(m.UserId, m.Name, m.Email))], page.Total, page.Offset, page.Limit));
    }

    public static async Task<NoContent> AddMembers(string tenantId, string groupId, NewMembers request, SkillGroupService service, CancellationToken cancellationToken)
    {
        var checks = new Checks();
        var ids = checks.Ids("agentIds", request.AgentIds, 200);
        if (ids is not { Count: > 0 }) checks.Add("agentIds", "must name at least one agent");
        checks.ThrowIfAny();
        await service.AddMembersAsync(tenantId, groupId, ids!, cancellationToken);
        return TypedResults.NoContent();
    }

    public static async Task<NoContent> RemoveMember(string tenantId, string groupId, string agentId, SkillGroupService service, CancellationToken cancellationToken)
    {
        await service.RemoveMemberAsync(tenantId, groupId, agentId, cancellationToken);
        return TypedResults.NoContent();
    }

    public static async Task<Ok<QueueView>> Queue(string tenantId, string groupId, SkillGroupService service, IGrainFactory grains, CancellationToken cancellationToken)
    {
        await service.RequireAsync(tenantId, groupId, cancellationToken);
        var live = await grains.SkillGroup(tenantId, groupId).GetSnapshot();
        return TypedResults.Ok(new QueueView(groupId, live.Queue));
    }

    /// <summary>SG-3: online caps are 1..100; phone and omni-media are fixed at 1.</summary>
    private static int Cap(Checks checks, ServiceMode mode, int? requested)
    {
        if (!mode.IsExclusive()) return checks.Range("receptionCap", requested, 1, MaxReceptionCap);
        if (requested is not null and not 1) checks.Add("receptionCap", $"is fixed at 1 for {SkillGroupService.ModeName(mode)} groups (SG-3)");
        return 1;
    }

    /// <summary>The name and times from the row; the cap and overflow list from the group's grain, which owns them.</summary>
    private static SkillGroupView ViewOf(SkillGroupRow g, SkillGroupSnapshot live) => new(
        g.Id, g.Name, g.Mode, live.ReceptionCap, live.Settings.OverflowGroupIds, UnixTime.At(g.CreatedAt), UnixTime.At(g.UpdatedAt));
}
