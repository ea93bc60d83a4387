using System.Net;
using Dapper;
using Engine.Persistence;
using Microsoft.Extensions.Time.Testing;
using Engine.Web.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Engine.Web.Tests;

public sealed class AuthTests(EngineFactory factory) : IClassFixture<EngineFactory>
{
    [Fact]
    public async Task Sign_in_sets_an_http_only_same_site_lax_cookie_and_returns_a_csrf_token()
    {
        using var api = ApiClient.Anonymous(factory);
        using var response = await api.PostAsync("/api/v1/sign-in", new { email = EngineFactory.OperatorEmail, password = EngineFactory.OperatorPassword });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("engine.auth=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);
        var me = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.False(string.IsNullOrEmpty((string?)me["csrfToken"]));
        Assert.Equal("operator", (string?)me["role"]);
    }

    [Fact]
    public async Task Wrong_password_and_unknown_email_get_the_same_401()
    {
        using var api = ApiClient.Anonymous(factory);
        var wrong = await ApiClient.ProblemAsync(await api.PostAsync("/api/v1/sign-in", new { email = EngineFactory.OperatorEmail, password = "Wrong#1234" }), HttpStatusCode.Unauthorized);
        var unknown = await ApiClient.ProblemAsync(await api.PostAsync("/api/v1/sign-in", new { email = "nobody@engine.test", password = "Wrong#1234" }), HttpStatusCode.Unauthorized);
        Assert.Equal((string?)wrong["detail"], (string?)unknown["detail"]);
    }

    [Fact]
    public async Task TN3_first_sign_in_with_an_initial_password_allows_only_the_password_change()
    {
        using var op = await ApiClient.SignInAsync(factory, EngineFactory.OperatorEmail, EngineFactory.OperatorPassword);
        var email = $"first-{Guid.NewGuid():N}@tenant.test";
        var created = await op.PostOkAsync("/api/v1/tenants", new { name = "First", adminName = "Admin", adminEmail = email });
        var initial = (string)created["initialPassword"]!;
        Assert.Null(Engine.Web.Auth.Passwords.Problem(initial, email));

        using var admin = await ApiClient.SignInAsync(factory, email, initial);
        var tenantPath = $"/api/v1/tenants/{created["id"]}";
        await ApiClient.ProblemAsync(await admin.GetAsync($"{tenantPath}/agents"), HttpStatusCode.Forbidden);
        Assert.True((bool)(await admin.GetOkAsync("/api/v1/me"))["mustChangePassword"]!);

        var me = await admin.PostOkAsync("/api/v1/me/password", new { currentPassword = initial, newPassword = "Changed#2026" });
        Assert.False((bool)me["mustChangePassword"]!);
        admin.UseCsrf((string)me["csrfToken"]!);
        await admin.GetOkAsync($"{tenantPath}/agents");
        // The initial password no longer works.
        using var again = ApiClient.Anonymous(factory);
        await ApiClient.ProblemAsync(await again.PostAsync("/api/v1/sign-in", new { email, password = initial }), HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("Short#1", "must be 8 to 20 characters long")]
    [InlineData("Waytoolongpassword#123", "must be 8 to 20 characters long")]
    [InlineData("NoDigits#here", "must contain a digit")]
    [InlineData("12345678#", "must contain a letter")]
    [InlineData("NoSpecial123", "must contain a special character")]
    public async Task TN4_password_policy_is_enforced_with_the_reason(string password, string reason)
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        var response = await tenant.Admin.PostAsync("/api/v1/me/password", new { currentPassword = TestTenant.Password, newPassword = password });
        Assert.Equal(reason, await ApiClient.FieldErrorAsync(response, "newPassword"));
    }

    [Fact]
    public async Task TN4_the_password_must_not_be_the_email()
    {
        using var op = await ApiClient.SignInAsync(factory, EngineFactory.OperatorEmail, EngineFactory.OperatorPassword);
        var email = $"x{Guid.NewGuid():N}"[..12] + "@t.io";
        var created = await op.PostOkAsync("/api/v1/tenants", new { name = "Mail", adminName = "Admin", adminEmail = email });
        using var admin = await ApiClient.SignInAsync(factory, email, (string)created["initialPassword"]!);
        var response = await admin.PostAsync("/api/v1/me/password", new { currentPassword = (string)created["initialPassword"]!, newPassword = email });
        Assert.Equal("must not be the email address", await ApiClient.FieldErrorAsync(response, "newPassword"));
    }

    [Fact]
    public async Task Unsafe_cookie_requests_without_the_csrf_token_are_refused_and_change_nothing()
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        tenant.Admin.Http.DefaultRequestHeaders.Remove("X-CSRF-TOKEN");
        var response = await tenant.Admin.PostAsync($"{tenant.Base}/skill-groups", new { name = "Forged", mode = "online", receptionCap = 1 });
        await ApiClient.ProblemAsync(response, HttpStatusCode.Forbidden);
        var groups = await tenant.Admin.GetOkAsync($"{tenant.Base}/skill-groups");
        Assert.Equal(0, (int)groups["total"]!);
    }

    [Fact]
    public async Task Bearer_token_requests_need_no_csrf_token()
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        using var bearer = ApiClient.Bearer(factory, tenant.AdminToken);
        var created = await bearer.PostOkAsync($"{tenant.Base}/skill-groups", new { name = "By token", mode = "online", receptionCap = 1 });
        Assert.Equal("By token", (string?)created["name"]);
    }

    [Fact]
    public async Task An_unknown_or_malformed_bearer_token_gets_401()
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        using var unknown = ApiClient.Bearer(factory, "eng_" + new string('x', 43));
        await ApiClient.ProblemAsync(await unknown.GetAsync($"{tenant.Base}/agents"), HttpStatusCode.Unauthorized);
        using var malformed = ApiClient.Bearer(factory, "not-a-token");
        await ApiClient.ProblemAsync(await malformed.GetAsync($"{tenant.Base}/agents"), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Api_tokens_are_stored_hashed()
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        var database = factory.Services.GetRequiredService<Database>();
        await using var connection = await database.OpenAsync();
        var hashes = (await connection.QueryAsync<string>("SELECT token_hash FROM api_tokens WHERE tenant_id = @Id", new { tenant.Id })).ToList();
        Assert.Single(hashes);
        Assert.NotEqual(tenant.AdminToken, hashes[0]);
        Assert.Equal(Engine.Web.Auth.ApiTokens.HashOf(tenant.AdminToken), hashes[0]);
    }

    [Fact]
    public async Task Passwords_are_stored_with_pbkdf2_at_210000_iterations_or_more()
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        var database = factory.Services.GetRequiredService<Database>();
        await using var connection = await database.OpenAsync();
        var hash = Convert.FromBase64String(await connection.QuerySingleAsync<string>("SELECT password_hash FROM users WHERE id = @AdminId", new { tenant.AdminId }));
        // ASP.NET Core Identity v3 format: 0x01, PRF, iteration count, salt length (big-endian 32-bit each).
        Assert.Equal(0x01, hash[0]);
        var iterations = (hash[5] << 24) | (hash[6] << 16) | (hash[7] << 8) | hash[8];
        Assert.True(iterations >= 210_000, $"{iterations} iterations");
    }

    [Fact]
    public async Task Sign_out_ends_the_cookie_session()
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Admin.PostAsync("/api/v1/sign-out")).StatusCode);
        await ApiClient.ProblemAsync(await tenant.Admin.GetAsync("/api/v1/me"), HttpStatusCode.Unauthorized);
    }
}

/// <summary>Lockout runs on a manual clock: five minutes pass when the test says so.</summary>
public sealed class LockoutTests(LockoutTests.Server factory) : IClassFixture<LockoutTests.Server>
{
    public sealed class Server : EngineFactory
    {
        private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);

        public override TimeProvider? Clock => _clock;

        public FakeTimeProvider Manual => _clock;
    }

    [Fact]
    public async Task Five_failed_sign_ins_lock_the_account_for_five_minutes_and_the_lock_looks_like_a_wrong_password()
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        using var api = ApiClient.Anonymous(factory);
        var wrong = "";
        for (var i = 0; i < 5; i++)
            wrong = (await ApiClient.ProblemAsync(await api.PostAsync("/api/v1/sign-in", new { email = tenant.AdminEmail, password = "Wrong#1234" }), HttpStatusCode.Unauthorized)).ToJsonString();

        // The right password no longer opens it, and the answer is the one a wrong password gets: nothing tells a guesser the account exists.
        var locked = await ApiClient.ProblemAsync(await api.PostAsync("/api/v1/sign-in", new { email = tenant.AdminEmail, password = TestTenant.Password }), HttpStatusCode.Unauthorized);
        Assert.Equal(System.Text.Json.Nodes.JsonNode.Parse(wrong)!["detail"]!.ToString(), locked["detail"]!.ToString());

        factory.Manual.Advance(TimeSpan.FromMinutes(4));
        await ApiClient.ProblemAsync(await api.PostAsync("/api/v1/sign-in", new { email = tenant.AdminEmail, password = TestTenant.Password }), HttpStatusCode.Unauthorized);
        factory.Manual.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.OK, (await api.PostAsync("/api/v1/sign-in", new { email = tenant.AdminEmail, password = TestTenant.Password })).StatusCode);
    }

    [Fact]
    public async Task A_successful_sign_in_resets_the_failure_count()
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        using var api = ApiClient.Anonymous(factory);
        for (var i = 0; i < 4; i++) await api.PostAsync("/api/v1/sign-in", new { email = tenant.AdminEmail, password = "Wrong#1234" });
        Assert.Equal(HttpStatusCode.OK, (await api.PostAsync("/api/v1/sign-in", new { email = tenant.AdminEmail, password = TestTenant.Password })).StatusCode);
        for (var i = 0; i < 4; i++) await api.PostAsync("/api/v1/sign-in", new { email = tenant.AdminEmail, password = "Wrong#1234" });
        Assert.Equal(HttpStatusCode.OK, (await api.PostAsync("/api/v1/sign-in", new { email = tenant.AdminEmail, password = TestTenant.Password })).StatusCode);
    }
}

public sealed class SignInRateLimitTests(SignInRateLimitTests.Server factory) : IClassFixture<SignInRateLimitTests.Server>
{
    public sealed class Server : EngineFactory
    {
        protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string> { ["Engine:SignIn:PermitsPerMinute"] = "5" };
    }

    [Fact]
    public async Task A_client_hammering_sign_in_gets_429_with_problem_details()
    {
        using var api = ApiClient.Anonymous(factory);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 8; i++)
        {
            using var response = await api.PostAsync("/api/v1/sign-in", new { email = $"nobody{i}@engine.test", password = "Wrong#1234" });
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests) await ApiClient.ProblemAsync(response, HttpStatusCode.TooManyRequests);
        }
        Assert.Equal(5, statuses.Count(s => s == HttpStatusCode.Unauthorized));
        Assert.Equal(3, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
    }
}
