using System.Threading.RateLimiting;
using Engine.Persistence.Admin;
using Engine.Web.Infrastructure;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;

namespace Engine.Web.Auth;

public static class Policies
{
    /// <summary>Any signed-in user, also one who must still change an initial password.</summary>
    public const string SignedIn = "signed-in";
    public const string Operator = "operator";
    public const string Admin = "admin";
    public const string OperatorOrAdmin = "operator-or-admin";

    /// <summary>Anyone who works conversations: agents and admin-role agents (AG-2).</summary>
    public const string Member = "member";

    public const string SignInLimit = "sign-in";
}

/// <summary>Cookie sign-in for pages, bearer API tokens for scripts, roles, CSRF protection of cookie requests, a limit on sign-in attempts.</summary>
public static class AuthSetup
{
    private const string Smart = "Engine";

    public static IServiceCollection AddEngineAuth(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<Passwords>();
        services.AddSingleton<ApiTokenCache>();
        services.AddAuthentication(Smart)
            .AddPolicyScheme(Smart, "Cookie or API token", o => o.ForwardDefaultSelector = context =>
                context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                    ? ApiTokens.Scheme
                    : CookieAuthenticationDefaults.AuthenticationScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiTokenHandler>(ApiTokens.Scheme, null)
            .AddCookie(o =>
            {
                o.Cookie.Name = "engine.auth";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.ExpireTimeSpan = TimeSpan.FromHours(12);
                o.SlidingExpiration = true;
                // An API answers with a status, never a redirect to a login page.
                o.Events.OnRedirectToLogin = context => { context.Response.StatusCode = StatusCodes.Status401Unauthorized; return Task.CompletedTask; };
                o.Events.OnRedirectToAccessDenied = context => { context.Response.StatusCode = StatusCodes.Status403Forbidden; return Task.CompletedTask; };
                o.Events.OnValidatePrincipal = ValidateCookieAsync;
            });

        services.AddAuthorizationBuilder()
            .SetDefaultPolicy(Working().Build())
            .AddPolicy(Policies.SignedIn, p => p.RequireAuthenticatedUser())
            .AddPolicy(Policies.Operator, p => Working(p).RequireRole(Roles.Operator))
            .AddPolicy(Policies.Admin, p => Working(p).RequireRole(Roles.Admin))
            .AddPolicy(Policies.OperatorOrAdmin, p => Working(p).RequireRole(Roles.Operator, Roles.Admin))
            .AddPolicy(Policies.Member, p => Working(p).RequireRole(Roles.Admin, Roles.Agent));

        services.AddAntiforgery(o =>
        {
            o.HeaderName = "X-CSRF-TOKEN";
            o.Cookie.Name = "engine.csrf";
            o.Cookie.SameSite = SameSiteMode.Strict;
        });

        var permits = configuration.GetValue("Engine:SignIn:PermitsPerMinute", 20);
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.AddPolicy(Policies.SignInLimit, context => RateLimitPartition.GetFixedWindowLimiter(
                context.Connection.RemoteIpAddress?.ToString() ?? "local",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
            o.OnRejected = (context, _) => new ValueTask(Problems.WriteAsync(context.HttpContext, StatusCodes.Status429TooManyRequests, "Too many requests",
                context.HttpContext.Request.Path.StartsWithSegments(Engine.Web.RealTime.VisitorHub.Path)
                    ? "Too many chat connections from this address; wait a minute and try again."
                    : "Too many sign-in attempts from this address; wait a minute and try again."));
        });
        return services;
    }

    public static WebApplication UseEngineAuth(this WebApplication app)
    {
        app.UseAuthentication();
        app.UseRateLimiter();
        app.Use(RequireCsrfTokenAsync);
        app.UseAuthorization();
        return app;
    }

    /// <summary>Signed in (by cookie or token) and past the first-sign-in password change (TN-3).</summary>
    private static AuthorizationPolicyBuilder Working(AuthorizationPolicyBuilder? builder = null)
        => (builder ?? new AuthorizationPolicyBuilder()).RequireAuthenticatedUser().RequireAssertion(c => !c.User.MustChangePassword());

    /// <summary>A cookie stops working when its user is deleted or their password changes (AG-3, TN-2).</summary>
    private static async Task ValidateCookieAsync(CookieValidatePrincipalContext context)
    {
        var users = context.HttpContext.RequestServices.GetRequiredService<UserStore>();
        var id = context.Principal?.UserId();
        var user = id is null ? null : await users.GetAsync(id, context.HttpContext.RequestAborted);
        if (user is null || user.DeletedAt is not null || context.Principal!.FindFirst(EngineClaims.Stamp)?.Value != Passwords.Stamp(user.PasswordHash))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        }
    }

    /// <summary>Unsafe requests authenticated by the cookie carry the antiforgery token in <c>X-CSRF-TOKEN</c>; bearer requests need none.</summary>
    private static async Task RequireCsrfTokenAsync(HttpContext context, RequestDelegate next)
    {
        var method = context.Request.Method;
        var safe = HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method);
        // Anonymous endpoints (sign-in) change nobody's data: signing in again over a live session needs no token.
        var anonymous = context.GetEndpoint()?.Metadata.GetMetadata<IAllowAnonymous>() is not null;
        if (!safe && !anonymous && context.User.Identity is { IsAuthenticated: true, AuthenticationType: CookieAuthenticationDefaults.AuthenticationScheme })
        {
            var antiforgery = context.RequestServices.GetRequiredService<IAntiforgery>();
            if (!await antiforgery.IsRequestValidAsync(context))
            {
                await Problems.WriteAsync(context, StatusCodes.Status403Forbidden, "CSRF token missing or invalid",
                    "Send the csrfToken from the sign-in response (or GET /api/v1/me) in the X-CSRF-TOKEN header.");
                return;
            }
        }
        await next(context);
    }
}
