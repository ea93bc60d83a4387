using System.Security.Claims;

namespace Engine.Web.Auth;

/// <summary>The three roles (AG-2): the platform operator creates tenants; a tenant admin configures the tenant and may also work as an agent; an agent works.</summary>
public static class Roles
{
    public const string Operator = "operator";
    public const string Admin = "admin";
    public const string Agent = "agent";
}

public static class EngineClaims
{
    public const string Tenant = "engine:tenant";

    /// <summary>Present while the user still signs in with an initial password (TN-3).</summary>
    public const string MustChangePassword = "engine:must-change-password";

    /// <summary>Changes with the password: a cookie issued before a reset stops working (AG-3).</summary>
    public const string Stamp = "engine:stamp";

    /// <summary>The id of the API token a caller signed in with (never its secret).</summary>
    public const string Token = "engine:token";
}

/// <summary>Who is calling, read from the authenticated principal.</summary>
public static class Caller
{
    public static string UserId(this ClaimsPrincipal user) => user.FindFirstValue(ClaimTypes.NameIdentifier) ?? throw new InvalidOperationException("The caller is not signed in.");

    public static string? TenantId(this ClaimsPrincipal user) => user.FindFirstValue(EngineClaims.Tenant);

    public static string Role(this ClaimsPrincipal user) => user.FindFirstValue(ClaimTypes.Role) ?? "";

    /// <summary>How the caller signed in, as the audit trail shows it: <c>session</c> or <c>api-token:{id}</c>.</summary>
    public static string Via(this ClaimsPrincipal user) => user.FindFirstValue(EngineClaims.Token) is { } token ? "api-token:" + token : "session";

    public static bool MustChangePassword(this ClaimsPrincipal user) => user.HasClaim(c => c.Type == EngineClaims.MustChangePassword);

    public static ClaimsPrincipal Principal(string authenticationType, string userId, string? tenantId, string role, string? stamp = null, bool mustChangePassword = false, string? tokenId = null)
    {
        var claims = new List<Claim> { new(ClaimTypes.NameIdentifier, userId), new(ClaimTypes.Role, role) };
        if (tenantId is not null) claims.Add(new Claim(EngineClaims.Tenant, tenantId));
        if (stamp is not null) claims.Add(new Claim(EngineClaims.Stamp, stamp));
        if (mustChangePassword) claims.Add(new Claim(EngineClaims.MustChangePassword, "1"));
        if (tokenId is not null) claims.Add(new Claim(EngineClaims.Token, tokenId));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, authenticationType, ClaimTypes.NameIdentifier, ClaimTypes.Role));
    }
}
