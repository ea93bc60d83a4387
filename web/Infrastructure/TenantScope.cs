using Engine.Web.Auth;

namespace Engine.Web.Infrastructure;

/// <summary>Every route under <c>/tenants/{tenantId}</c> checks that the caller belongs to that tenant.</summary>
public static class TenantScope
{
    /// <summary>
    /// Callers of another tenant get a 404, as if the tenant did not exist: ids of other tenants leak
    /// nothing. The platform operator passes only where <paramref name="allowOperator"/> says.
    /// </summary>
    public static RouteGroupBuilder RequireTenantMember(this RouteGroupBuilder group, bool allowOperator = false)
    {
        group.AddEndpointFilter(async (context, next) =>
        {
            var tenantId = context.HttpContext.GetRouteValue("tenantId") as string;
            var caller = context.HttpContext.User;
            var allowed = caller.TenantId() is { } own ? own == tenantId : allowOperator && caller.Role() == Roles.Operator;
            if (!allowed) throw new NotFoundException($"Tenant {tenantId}");
            return await next(context);
        });
        return group;
    }
}
