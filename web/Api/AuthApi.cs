using Engine.Persistence.Admin;
using Engine.Web.Auth;
using Engine.Web.Infrastructure;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Engine.Web.Api;

/// <summary>Sign-in, sign-out, the caller's profile and password (TN-3, TN-4).</summary>
public static class AuthApi
{
    public const int LockAfterFailures = 5;
    public static readonly TimeSpan LockFor = TimeSpan.FromMinutes(5);

    public static IEndpointRouteBuilder MapAuthApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").WithTags("Sign-in");
        api.MapPost("/sign-in", SignIn).AllowAnonymous().RequireRateLimiting(Policies.SignInLimit)
            .NotAudited("signing in changes no configuration; failed attempts count toward the account's lock (TN-4)");
        api.MapPost("/sign-out", (Delegate)SignOut).RequireAuthorization(Policies.SignedIn).NotAudited("ends the caller's own session; changes nothing stored");
        api.MapGet("/me", GetMe).RequireAuthorization(Policies.SignedIn);
        api.MapPost("/me/password", ChangePassword).RequireAuthorization(Policies.SignedIn).Audited("user", AuditTrail.Caller);
        return app;
    }

    public sealed record SignInRequest(string? Email, string? Password);

    public sealed record PasswordChange(string? CurrentPassword, string? NewPassword);

    public sealed record Me(string Id, string? TenantId, string Role, string Name, string Email, bool MustChangePassword, string? CsrfToken);

    public static async Task<Results<Ok<Me>, ProblemHttpResult>> SignIn(SignInRequest request, HttpContext http, UserStore users, Passwords passwords, IAntiforgery antiforgery, TimeProvider time, CancellationToken cancellationToken)
    {
        var checks = new Checks();
        var email = checks.Text("email", request.Email, 254).ToLowerInvariant();
        var password = request.Password ?? "";
        if (password.Length == 0) checks.Add("password", "is required");
        checks.ThrowIfAny();

        var user = await users.FindByEmailAsync(email, cancellationToken);
        var now = time.GetUtcNow();
        var locked = user?.LockedUntil is { } until && until > now.ToUnixTimeMilliseconds();
        // A locked account answers exactly as a wrong password or an unknown email does, after the same
        // hashing work: the answer tells nobody which emails exist or which accounts are locked.
        if (!passwords.Verify(user, password) || locked)
        {
            if (user is not null && !locked) await users.RecordFailedSignInAsync(user.Id, LockAfterFailures, (now + LockFor).ToUnixTimeMilliseconds(), cancellationToken);
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Sign-in failed",
                detail: $"The email or the password is wrong. After {LockAfterFailures} failed sign-ins in a row an account is locked for {LockFor.TotalMinutes:0} minutes.");
        }
        await users.ClearFailedSignInsAsync(user!.Id, cancellationToken);
        return TypedResults.Ok(await StartSessionAsync(http, user, antiforgery));
    }

    public static async Task<NoContent> SignOut(HttpContext http)
    {
        await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        return TypedResults.NoContent();
    }

    /// <summary>The caller, with a fresh CSRF token for cookie sessions.</summary>
    public static async Task<Ok<Me>> GetMe(HttpContext http, UserStore users, IAntiforgery antiforgery, CancellationToken cancellationToken)
    {
        var user = await users.GetAsync(http.User.UserId(), cancellationToken) ?? throw new NotFoundException("User");
        return TypedResults.Ok(MeOf(user, IsCookie(http) ? antiforgery.GetAndStoreTokens(http).RequestToken : null));
    }

    /// <summary>TN-3, TN-4: the only thing a user with an initial password may do. A cookie session continues with the new password.</summary>
    public static async Task<Ok<Me>> ChangePassword(PasswordChange request, HttpContext http, UserStore users, Passwords passwords, IAntiforgery antiforgery, TimeProvider time, CancellationToken cancellationToken)
    {
        var user = await users.GetAsync(http.User.UserId(), cancellationToken) ?? throw new NotFoundException("User");
        var checks = new Checks();
        if (!passwords.Verify(user, request.CurrentPassword ?? "")) checks.Add("currentPassword", "is not the current password");
        var next = request.NewPassword ?? "";
        if (Passwords.Problem(next, user.Email) is { } problem) checks.Add("newPassword", problem);
        else if (next == request.CurrentPassword) checks.Add("newPassword", "must differ from the current password");
        checks.ThrowIfAny();
        await users.SetPasswordAsync(user.Id, passwords.Hash(next), mustChange: false, time.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken);
        var changed = (await users.GetAsync(user.Id, cancellationToken))!;
        if (!IsCookie(http)) return TypedResults.Ok(MeOf(changed, null));
        return TypedResults.Ok(await StartSessionAsync(http, changed, antiforgery));
    }

    private static async Task<Me> StartSessionAsync(HttpContext http, UserRow user, IAntiforgery antiforgery)
    {
        var principal = Caller.Principal(CookieAuthenticationDefaults.AuthenticationScheme, user.Id, user.TenantId, user.Role,
            Passwords.Stamp(user.PasswordHash), user.MustChangePassword != 0);
        await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, principal);
        // The CSRF token is bound to the user it is issued to: issue it for the session just started.
        http.User = principal;
        return MeOf(user, antiforgery.GetAndStoreTokens(http).RequestToken);
    }

    private static bool IsCookie(HttpContext http) => http.User.Identity?.AuthenticationType == CookieAuthenticationDefaults.AuthenticationScheme;

    private static Me MeOf(UserRow user, string? csrfToken)
        => new(user.Id, user.TenantId, user.Role, user.Name, user.Email, user.MustChangePassword != 0, csrfToken);
}
