using Engine.Web.Auth;

namespace Engine.Web.Infrastructure;

/// <summary>Every route under <c>/tenants/{tenantId}</c> checks that the caller belongs to that tenant.</summary>
public static class TenantScope
{
    /// <summary>Marks the routes of a group as belonging to the tenant in their path.</summary>
    public static RouteGroupBuilder RequireTenantMember(this RouteGroupBuilder group, bool allowOperator = false)
        => group.WithMetadata(new TenantScoped(allowOperator));

    /// <summary>
    /// Callers of another tenant get a 404, as if the tenant did not exist, before anything of the request
    /// is read: ids of other tenants leak nothing. The platform operator passes only where the route allows.
    /// Runs after authorization, so a caller without the route's role gets its 403 first.
    /// </summary>
    public static WebApplication UseTenantScope(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            if (context.GetEndpoint()?.Metadata.GetMetadata<TenantScoped>() is { } scope)
            {
                var tenantId = context.GetRouteValue("tenantId") as string;
                var caller = context.User;
                var allowed = caller.TenantId() is { } own ? own == tenantId : scope.AllowOperator && caller.Role() == Roles.Operator;
                if (!allowed)
                {
                    await Problems.WriteAsync(context, StatusCodes.Status404NotFound, "Not found", $"Tenant {tenantId} was not found.");
                    return;
                }
            }
            await next(context);
        });
        return app;
    }

    private sealed record TenantScoped(bool AllowOperator);
}
