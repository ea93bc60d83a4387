using Engine.Persistence.Admin;
using Engine.Web.Auth;
using Engine.Web.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Engine.Web.Api;

/// <summary>
/// API tokens: admins make them (for themselves or any user of the tenant), list the tenant's and revoke any;
/// every user lists and revokes their own. A listing never shows the secret. A revoked or expired token is
/// refused on every silo within a second (<see cref="ApiTokenCache"/>).
/// </summary>
public static class ApiTokenApi
{
    /// <summary>The longest life a token may be given.</summary>
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromDays(3 * 365);

    public static WebApplication MapApiTokenApi(this WebApplication app)
    {
        var tokens = app.MapGroup("/api/v1/tenants/{tenantId}/api-tokens").WithTags("API tokens").RequireTenantMember().RequireAuthorization(Policies.Admin).Audited("api-token", "tokenId");
        tokens.MapPost("", Create);
        tokens.MapGet("", List);
        tokens.MapDelete("/{tokenId}", Revoke);

        var own = app.MapGroup("/api/v1/tenants/{tenantId}/me/api-tokens").WithTags("API tokens").RequireTenantMember().RequireAuthorization(Policies.Member).Audited("api-token", "tokenId");
        own.MapGet("", ListOwn);
        own.MapDelete("/{tokenId}", RevokeOwn);
        return app;
    }

    public sealed record NewApiToken(string? Name, string? UserId, DateTimeOffset? ExpiresAt);

    public sealed record CreatedApiToken(string Id, string Name, string UserId, DateTimeOffset? ExpiresAt, string Token);

    public sealed record ApiTokenView(string Id, string Name, string UserId, string UserName, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? LastUsedAt, bool Expired);

    /// <summary>A bearer token acting as the calling admin, or as one of the tenant's users (a load tester drives agents this way). Shown once.</summary>
    public static async Task<Created<CreatedApiToken>> Create(string tenantId, NewApiToken request, HttpContext http, ApiTokenStore tokens, UserStore users, TimeProvider time, CancellationToken cancellationToken)
    {
        var checks = new Checks();
        var name = checks.Text("name", request.Name, 50);
        var now = time.GetUtcNow();
        if (request.ExpiresAt is { } expires && (expires <= now || expires > now + MaxLifetime))
            checks.Add("expiresAt", $"must be in the future and at most {MaxLifetime.TotalDays:0} days away");
        checks.ThrowIfAny();
        var userId = request.UserId ?? http.User.UserId();
        if (await users.GetInTenantAsync(tenantId, userId, null, cancellationToken) is null)
            throw RequestValidationException.For("userId", "names no user of this tenant");
        var token = ApiTokens.Generate();
        var id = Ids.New();
        await tokens.InsertAsync(id, tenantId, userId, ApiTokens.HashOf(token), name, now.ToUnixTimeMilliseconds(), request.ExpiresAt?.ToUnixTimeMilliseconds(), cancellationToken);
        return TypedResults.Created($"/api/v1/tenants/{tenantId}/api-tokens/{id}", new CreatedApiToken(id, name, userId, request.ExpiresAt, token));
    }

    public static Task<Ok<PageOf<ApiTokenView>>> List(string tenantId, string? userId, int? offset, int? limit, ApiTokenStore tokens, TimeProvider time, CancellationToken cancellationToken)
        => ListAsync(tenantId, userId, offset, limit, tokens, time, cancellationToken);

    public static Task<Ok<PageOf<ApiTokenView>>> ListOwn(string tenantId, int? offset, int? limit, HttpContext http, ApiTokenStore tokens, TimeProvider time, CancellationToken cancellationToken)
        => ListAsync(tenantId, http.User.UserId(), offset, limit, tokens, time, cancellationToken);

    public static Task<NoContent> Revoke(string tenantId, string tokenId, ApiTokenStore tokens, ApiTokenCache cache, TimeProvider time, CancellationToken cancellationToken)
        => RevokeAsync(tenantId, tokenId, null, tokens, cache, time, cancellationToken);

    public static Task<NoContent> RevokeOwn(string tenantId, string tokenId, HttpContext http, ApiTokenStore tokens, ApiTokenCache cache, TimeProvider time, CancellationToken cancellationToken)
        => RevokeAsync(tenantId, tokenId, http.User.UserId(), tokens, cache, time, cancellationToken);

    private static async Task<Ok<PageOf<ApiTokenView>>> ListAsync(string tenantId, string? userId, int? offset, int? limit, ApiTokenStore tokens, TimeProvider time, CancellationToken cancellationToken)
    {
        var paging = Paging.From(offset, limit);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var page = await tokens.ListAsync(tenantId, userId, paging.Offset, paging.Limit, cancellationToken);
        return TypedResults.Ok(new PageOf<ApiTokenView>(
            [.. page.Items.Select(t => new ApiTokenView(t.Id, t.Name, t.UserId, t.UserName, UnixTime.At(t.CreatedAt), UnixTime.At(t.ExpiresAt), UnixTime.At(t.LastUsedAt), t.ExpiresAt <= now))],
            page.Total, page.Offset, page.Limit));
    }

    /// <summary>Another user's token (for a non-admin) or one already revoked is a 404.</summary>
    private static async Task<NoContent> RevokeAsync(string tenantId, string tokenId, string? userId, ApiTokenStore tokens, ApiTokenCache cache, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!await tokens.RevokeAsync(tenantId, tokenId, userId, time.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken))
            throw new NotFoundException($"API token {tokenId}");
        cache.ForgetToken(tokenId);
        return TypedResults.NoContent();
    }
}
