using Engine.Persistence.Admin;
using Engine.Web.Auth;
using Engine.Web.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Engine.Web.Api;

/// <summary>
/// General configuration agents use in the workbench: quick replies (ST-3) and screen pops (ST-2).
/// Admins change them; agents read them.
/// </summary>
public static class ConfigurationApi
{
    public static IEndpointRouteBuilder MapConfigurationApi(this IEndpointRouteBuilder app)
    {
        var replies = app.MapGroup("/api/v1/tenants/{tenantId}/quick-replies").WithTags("Quick replies").RequireTenantMember().Audited("quick-reply", "replyId");
        replies.MapGet("", ListReplies).RequireAuthorization(Policies.Member);
        replies.MapPost("", CreateReply).RequireAuthorization(Policies.Admin);
        replies.MapPut("/{replyId}", UpdateReply).RequireAuthorization(Policies.Admin);
        replies.MapDelete("/{replyId}", DeleteReply).RequireAuthorization(Policies.Admin);

        var pops = app.MapGroup("/api/v1/tenants/{tenantId}/screen-pops").WithTags("Screen pops").RequireTenantMember().Audited("screen-pop", "popId");
        pops.MapGet("", ListPops).RequireAuthorization(Policies.Member);
        pops.MapPost("", CreatePop).RequireAuthorization(Policies.Admin);
        pops.MapPut("/{popId}", UpdatePop).RequireAuthorization(Policies.Admin);
        pops.MapPost("/{popId}/move", MovePop).RequireAuthorization(Policies.Admin);
        pops.MapDelete("/{popId}", DeletePop).RequireAuthorization(Policies.Admin);
        return app;
    }

    public sealed record QuickReply(string? Title, string? Body);

    public sealed record QuickReplyView(string Id, string Title, string Body, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

    public sealed record ScreenPop(string? Name, string? Url, bool? Enabled);

    public sealed record Move(string? Direction);

    public sealed record ScreenPopView(string Id, string Name, string Url, bool Enabled, int Position);

    public static async Task<Ok<PageOf<QuickReplyView>>> ListReplies(string tenantId, int? offset, int? limit, QuickReplyStore store, CancellationToken cancellationToken)
    {
        var paging = Paging.From(offset, limit);
        var page = await store.ListAsync(tenantId, paging.Offset, paging.Limit, cancellationToken);
        return TypedResults.Ok(new PageOf<QuickReplyView>([.. page.Items.Select(ViewOf)], page.Total, page.Offset, page.Limit));
    }

    public static async Task<Created<QuickReplyView>> CreateReply(string tenantId, QuickReply request, QuickReplyStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        var (title, body) = Validate(request);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var row = new QuickReplyRow { Id = Ids.New(), Title = title, Body = body, CreatedAt = now, UpdatedAt = now };
        await store.InsertAsync(tenantId, row, cancellationToken);
        return TypedResults.Created($"/api/v1/tenants/{tenantId}/quick-replies/{row.Id}", ViewOf(row));
    }

    public static async Task<NoContent> UpdateReply(string tenantId, string replyId, QuickReply request, QuickReplyStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        var (title, body) = Validate(request);
        if (!await store.UpdateAsync(tenantId, replyId, title, body, time.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken)) throw new NotFoundException($"Quick reply {replyId}");
        return TypedResults.NoContent();
    }

    public static async Task<NoContent> DeleteReply(string tenantId, string replyId, QuickReplyStore store, CancellationToken cancellationToken)
    {
        if (!await store.DeleteAsync(tenantId, replyId, cancellationToken)) throw new NotFoundException($"Quick reply {replyId}");
        return TypedResults.NoContent();
    }

    /// <summary>ST-2: admins see every pop; agents only the enabled ones, in order.</summary>
    public static async Task<Ok<IReadOnlyList<ScreenPopView>>> ListPops(string tenantId, HttpContext http, ScreenPopStore store, CancellationToken cancellationToken)
    {
        var pops = await store.ListAsync(tenantId, cancellationToken);
        var admin = http.User.Role() == Roles.Admin;
        return TypedResults.Ok<IReadOnlyList<ScreenPopView>>([.. pops.Where(p => admin || p.Enabled != 0).Select(ViewOf)]);
    }

    public static async Task<Created<ScreenPopView>> CreatePop(string tenantId, ScreenPop request, ScreenPopStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        var (name, url) = Validate(request);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var row = new ScreenPopRow { Id = Ids.New(), Name = name, Url = url, Enabled = request.Enabled ?? true ? 1 : 0, CreatedAt = now, UpdatedAt = now };
        if (!await store.InsertAsync(tenantId, row, cancellationToken))
            throw new Admin.DomainLimitException($"A tenant has at most {ScreenPopStore.MaxPerTenant} screen pops (ST-2); delete one first.");
        return TypedResults.Created($"/api/v1/tenants/{tenantId}/screen-pops/{row.Id}", ViewOf(row));
    }

    public static async Task<NoContent> UpdatePop(string tenantId, string popId, ScreenPop request, ScreenPopStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        var (name, url) = Validate(request);
        if (!await store.UpdateAsync(tenantId, popId, name, url, request.Enabled ?? true, time.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken))
            throw new NotFoundException($"Screen pop {popId}");
        return TypedResults.NoContent();
    }

    /// <summary>ST-2: move up or down one place; at the top (or bottom) already, nothing changes.</summary>
    public static async Task<Ok<IReadOnlyList<ScreenPopView>>> MovePop(string tenantId, string popId, Move request, HttpContext http, ScreenPopStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        if (request.Direction is not ("up" or "down")) throw RequestValidationException.For("direction", "must be up or down");
        if (!await store.MoveAsync(tenantId, popId, request.Direction == "up", time.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken))
            throw new NotFoundException($"Screen pop {popId}");
        return await ListPops(tenantId, http, store, cancellationToken);
    }

    public static async Task<NoContent> DeletePop(string tenantId, string popId, ScreenPopStore store, CancellationToken cancellationToken)
    {
        if (!await store.DeleteAsync(tenantId, popId, cancellationToken)) throw new NotFoundException($"Screen pop {popId}");
        return TypedResults.NoContent();
    }

    private static (string Title, string Body) Validate(QuickReply request)
    {
        var checks = new Checks();
        var title = checks.Text("title", request.Title, 50);
        var body = checks.Text("body", request.Body, 1000);
        checks.ThrowIfAny();
        return (title, body);
    }

    /// <summary>ST-2: a name and an absolute http(s) address the agent's browser opens.</summary>
    private static (string Name, string Url) Validate(ScreenPop request)
    {
        var checks = new Checks();
        var name = checks.Text("name", request.Name, 20);
        var url = checks.Text("url", request.Url, 1000);
        if (url.Length > 0 && !(Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
            checks.Add("url", "must be an absolute http or https address");
        checks.ThrowIfAny();
        return (name, url);
    }

    private static QuickReplyView ViewOf(QuickReplyRow r) => new(r.Id, r.Title, r.Body, UnixTime.At(r.CreatedAt), UnixTime.At(r.UpdatedAt));

    private static ScreenPopView ViewOf(ScreenPopRow p) => new(p.Id, p.Name, p.Url, p.Enabled != 0, p.Position);
}
