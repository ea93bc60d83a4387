using Engine.Flows;
using Engine.Persistence.Admin;
using Engine.Routing;
using Engine.Web.Admin;
using Engine.Web.Auth;
using Engine.Web.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Engine.Web.Api;

/// <summary>
/// FL-1..FL-7: service flows. Saved flows are Unpublished drafts; publishing checks the flow (422 with every
/// problem, each naming its module) and makes it usable; channels bind published flows (InUse). What a status
/// forbids is a 409 naming the status.
/// </summary>
public static class FlowApi
{
    public static IEndpointRouteBuilder MapFlowApi(this IEndpointRouteBuilder app)
    {
        var flows = app.MapGroup("/api/v1/tenants/{tenantId}/flows").WithTags("Service flows").RequireTenantMember().RequireAuthorization(Policies.Admin).Audited("flow", "flowId");
        flows.MapGet("", List);
        flows.MapPost("", Create);
        flows.MapGet("/{flowId}", Get);
        flows.MapPut("/{flowId}", Edit);
        flows.MapPost("/{flowId}/publish", Publish);
        flows.MapPost("/{flowId}/unpublish", Unpublish);
        flows.MapDelete("/{flowId}", Delete);
        return app;
    }

    /// <summary>A new flow: saved Unpublished, or published at once (<c>publish: true</c>, save and publish).</summary>
    public sealed record NewFlow(string? Name, string? Mode, IReadOnlyList<FlowModule>? Modules, bool? Publish);

    /// <summary>An edit of an Unpublished flow; <c>version</c>, when given, must be the one edited (else 409); the mode is fixed at creation.</summary>
    public sealed record FlowEdit(string? Name, IReadOnlyList<FlowModule>? Modules, bool? Publish, int? Version, string? Mode);

    /// <summary>Publishes the flow as it is; <c>version</c>, when given, must be the one checked (else 409).</summary>
    public sealed record PublishRequest(int? Version);

    public sealed record ChannelRef(string Id, string Name, string Kind);

    /// <summary>FL-7: name, update time, id, bound channels, status (unpublished, published, inUse).</summary>
    public sealed record FlowSummary(string Id, string Name, string Mode, string Status, int Version, IReadOnlyList<ChannelRef> Channels, DateTimeOffset UpdatedAt);

    public sealed record FlowView(string Id, string Name, string Mode, string Status, int Version, IReadOnlyList<FlowModule> Modules, IReadOnlyList<ChannelRef> Channels, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

    public static async Task<Ok<PageOf<FlowSummary>>> List(string tenantId, string? mode, string? status, int? offset, int? limit, FlowStore flows, CancellationToken cancellationToken)
    {
        var paging = Paging.From(offset, limit);
        var checks = new Checks();
        if (mode is not null) checks.OneOf("mode", mode, SkillGroupService.Modes);
        if (status is not null) checks.OneOf("status", status, Statuses);
        checks.ThrowIfAny();
        var (page, channels) = await flows.ListAsync(tenantId, mode, status, paging.Offset, paging.Limit, cancellationToken);
        return TypedResults.Ok(new PageOf<FlowSummary>(
            [.. page.Items.Select(f => new FlowSummary(f.Id, f.Name, f.Mode, f.Status, f.Version, RefsOf(channels[f.Id]), UnixTime.At(f.UpdatedAt)))], page.Total, page.Offset, page.Limit));
    }

    public static async Task<Created<FlowView>> Create(string tenantId, NewFlow request, FlowStore flows, FlowChecks flowChecks, TimeProvider time, CancellationToken cancellationToken)
    {
        var checks = new Checks();
        var name = checks.Text("name", request.Name, 50);
        var mode = checks.OneOf("mode", request.Mode, SkillGroupService.Modes);
        if (request.Modules is null) checks.Add("modules", "is required (an empty list for an empty draft)");
        else NoHoles(checks, request.Modules);
        checks.ThrowIfAny();
        var definition = new FlowDefinition(request.Modules!);
        if (request.Publish == true) await flowChecks.RequireValidAsync(tenantId, mode, definition, cancellationToken);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var row = new FlowRow
        {
            Id = Ids.New(), TenantId = tenantId, Name = name, Mode = SkillGroupService.ModeName(mode), Version = 1,
            Status = FlowStore.StatusName(request.Publish == true ? FlowStatus.Published : FlowStatus.Unpublished),
            Definition = FlowJson.Write(definition), CreatedAt = now, UpdatedAt = now,
        };
        await flows.InsertAsync(row, cancellationToken);
        return TypedResults.Created($"/api/v1/tenants/{tenantId}/flows/{row.Id}", ViewOf(row, []));
    }

    public static async Task<Ok<FlowView>> Get(string tenantId, string flowId, FlowStore flows, CancellationToken cancellationToken)
    {
        var flow = await flows.GetAsync(tenantId, flowId, cancellationToken) ?? throw new NotFoundException($"Flow {flowId}");
        return TypedResults.Ok(ViewOf(flow, await ChannelsOfAsync(flows, tenantId, flowId, cancellationToken)));
    }

    /// <summary>FL-6: save (stays Unpublished) or save and publish (<c>publish: true</c>); only an Unpublished flow is edited.</summary>
    public static async Task<Ok<FlowView>> Edit(string tenantId, string flowId, FlowEdit request, FlowStore flows, FlowChecks flowChecks, TimeProvider time, CancellationToken cancellationToken)
    {
        var current = await flows.GetAsync(tenantId, flowId, cancellationToken) ?? throw new NotFoundException($"Flow {flowId}");
        var checks = new Checks();
        if (request.Mode is not null && request.Mode != current.Mode) checks.Add("mode", "is fixed when the flow is created; create another flow for another mode");
        var name = request.Name is null ? current.Name : checks.Text("name", request.Name, 50);
        if (request.Modules is not null) NoHoles(checks, request.Modules);
        checks.ThrowIfAny();
        var definition = request.Modules is null ? FlowJson.ReadDefinition(current.Definition) : new FlowDefinition(request.Modules);
        // A flow that may not be edited is refused for its status (409) before its content is looked at.
        if (request.Publish == true && current.Lifecycle == FlowStatus.Unpublished)
            await flowChecks.RequireValidAsync(tenantId, SkillGroupService.ParseMode(current.Mode), definition, cancellationToken);
        var saved = await flows.EditAsync(tenantId, flowId, name, FlowJson.Write(definition), request.Publish == true, request.Version ?? current.Version,
            time.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken);
        return TypedResults.Ok(ViewOf(saved, await ChannelsOfAsync(flows, tenantId, flowId, cancellationToken)));
    }

    /// <summary>FL-6: an Unpublished flow that passes every check becomes Published; otherwise 422 with every problem.</summary>
    public static async Task<Ok<FlowView>> Publish(string tenantId, string flowId, PublishRequest? request, FlowStore flows, FlowChecks flowChecks, TimeProvider time, CancellationToken cancellationToken)
    {
        var current = await flows.GetAsync(tenantId, flowId, cancellationToken) ?? throw new NotFoundException($"Flow {flowId}");
        if (current.Lifecycle == FlowStatus.Unpublished)
            await flowChecks.RequireValidAsync(tenantId, SkillGroupService.ParseMode(current.Mode), FlowJson.ReadDefinition(current.Definition), cancellationToken);
        // The version checked is the one published: an edit in between is a conflict.
        var published = await flows.TransitionAsync(tenantId, flowId, FlowTrigger.Publish, request?.Version ?? current.Version, time.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken);
        return TypedResults.Ok(ViewOf(published, []));
    }

    /// <summary>FL-6: only a Published flow (bound to no channel) is unpublished, and can be edited again.</summary>
    public static async Task<Ok<FlowView>> Unpublish(string tenantId, string flowId, FlowStore flows, TimeProvider time, CancellationToken cancellationToken)
        => TypedResults.Ok(ViewOf(await flows.TransitionAsync(tenantId, flowId, FlowTrigger.Unpublish, null, time.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken), []));

    /// <summary>FL-6: only an Unpublished flow is deleted, for good.</summary>
    public static async Task<NoContent> Delete(string tenantId, string flowId, FlowStore flows, CancellationToken cancellationToken)
    {
        await flows.DeleteAsync(tenantId, flowId, cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>A <c>null</c> in the list of modules is a module missing, refused naming its place.</summary>
    private static void NoHoles(Checks checks, IReadOnlyList<FlowModule?> modules)
    {
        for (var i = 0; i < modules.Count; i++)
            if (modules[i] is null) checks.Add($"modules[{i}]", "is null; a flow module is an object with its type");
    }

    /// <summary>The statuses a listing filters by, as the API names them.</summary>
    private static readonly Dictionary<string, string> Statuses = Enum.GetValues<FlowStatus>().Where(s => s != FlowStatus.Deleted)
        .Select(FlowStore.StatusName).ToDictionary(name => name, name => name, StringComparer.Ordinal);

    private static async Task<IReadOnlyList<ChannelRef>> ChannelsOfAsync(FlowStore flows, string tenantId, string flowId, CancellationToken cancellationToken)
        => RefsOf(await flows.ChannelsOfAsync(tenantId, flowId, cancellationToken));

    private static IReadOnlyList<ChannelRef> RefsOf(IEnumerable<BoundChannel> channels) => [.. channels.Select(c => new ChannelRef(c.Id, c.Name, c.Kind))];

    private static FlowView ViewOf(FlowRow f, IReadOnlyList<ChannelRef> channels)
        => new(f.Id, f.Name, f.Mode, f.Status, f.Version, FlowJson.ReadDefinition(f.Definition).Modules, channels, UnixTime.At(f.CreatedAt), UnixTime.At(f.UpdatedAt));
}
