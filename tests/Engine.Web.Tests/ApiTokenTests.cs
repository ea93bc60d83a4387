using System.Net;
using Engine.Web.Auth;
using Engine.Web.Tests.Support;

namespace Engine.Web.Tests;

/// <summary>API tokens: listed without their secret, revoked by admins or their owner, refused once revoked or expired.</summary>
public abstract class ApiTokenContract(EngineFactory factory)
{
    [Fact]
    public async Task Admins_list_the_tenants_tokens_without_secrets_and_a_revoked_token_stops_working_at_once()
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        var (agentId, _, _, agentToken) = await tenant.AddAgentAsync();
        using var agent = ApiClient.Bearer(factory, agentToken);
        await agent.GetOkAsync($"{tenant.Base}/me/presence");

        var listing = await tenant.Admin.GetOkAsync($"{tenant.Base}/api-tokens");
        Assert.Equal(2, (int)listing["total"]!);
        var text = listing.ToJsonString();
        Assert.DoesNotContain(agentToken, text, StringComparison.Ordinal);
        Assert.DoesNotContain(tenant.AdminToken, text, StringComparison.Ordinal);
        var agentEntry = listing["items"]!.AsArray().Single(t => (string)t!["userId"]! == agentId)!;
        Assert.NotNull(agentEntry["lastUsedAt"]);
        Assert.NotNull(agentEntry["createdAt"]);
        Assert.StartsWith("Agent ", (string)agentEntry["userName"]!, StringComparison.Ordinal);

        var tokenId = (string)agentEntry["id"]!;
        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Admin.SendAsync(HttpMethod.Delete, $"{tenant.Base}/api-tokens/{tokenId}")).StatusCode);
        await ApiClient.ProblemAsync(await agent.GetAsync($"{tenant.Base}/me/presence"), HttpStatusCode.Unauthorized);
        await ApiClient.ProblemAsync(await tenant.Admin.SendAsync(HttpMethod.Delete, $"{tenant.Base}/api-tokens/{tokenId}"), HttpStatusCode.NotFound);
        Assert.Equal(1, (int)(await tenant.Admin.GetOkAsync($"{tenant.Base}/api-tokens"))["total"]!);
    }

    [Fact]
    public async Task Every_user_lists_and_revokes_their_own_tokens_and_no_one_elses()
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        var (agentId, _, _, agentToken) = await tenant.AddAgentAsync();
        var second = (string)(await tenant.Admin.PostOkAsync($"{tenant.Base}/api-tokens", new { name = "second", userId = agentId }))["id"]!;
        using var agent = ApiClient.Bearer(factory, agentToken);

        var own = await agent.GetOkAsync($"{tenant.Base}/me/api-tokens");
        Assert.Equal(2, (int)own["total"]!);
        Assert.All(own["items"]!.AsArray(), t => Assert.Equal(agentId, (string)t!["userId"]!));
        var adminTokenId = (string)(await tenant.Admin.GetOkAsync($"{tenant.Base}/api-tokens?userId={tenant.AdminId}"))["items"]![0]!["id"]!;
        await ApiClient.ProblemAsync(await agent.SendAsync(HttpMethod.Delete, $"{tenant.Base}/me/api-tokens/{adminTokenId}"), HttpStatusCode.NotFound);
        await ApiClient.ProblemAsync(await agent.SendAsync(HttpMethod.Delete, $"{tenant.Base}/api-tokens/{second}"), HttpStatusCode.Forbidden);

        Assert.Equal(HttpStatusCode.NoContent, (await agent.SendAsync(HttpMethod.Delete, $"{tenant.Base}/me/api-tokens/{second}")).StatusCode);
        Assert.Equal(1, (int)(await agent.GetOkAsync($"{tenant.Base}/me/api-tokens"))["total"]!);
        await tenant.Admin.GetOkAsync($"{tenant.Base}/api-tokens");
    }

    [Fact]
    public async Task An_expiry_must_lie_ahead_and_is_shown_with_the_token()
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        await ApiClient.FieldErrorAsync(await tenant.Admin.PostAsync($"{tenant.Base}/api-tokens", new { name = "old", expiresAt = DateTimeOffset.UtcNow.AddMinutes(-1) }), "expiresAt");
        await ApiClient.FieldErrorAsync(await tenant.Admin.PostAsync($"{tenant.Base}/api-tokens", new { name = "forever", expiresAt = DateTimeOffset.UtcNow.AddYears(10) }), "expiresAt");
        var expires = DateTimeOffset.UtcNow.AddDays(30);
        var created = await tenant.Admin.PostOkAsync($"{tenant.Base}/api-tokens", new { name = "month", expiresAt = expires });
        using var bearer = ApiClient.Bearer(factory, (string)created["token"]!);
        await bearer.GetOkAsync($"{tenant.Base}/skill-groups");
        var entry = (await tenant.Admin.GetOkAsync($"{tenant.Base}/api-tokens"))["items"]!.AsArray().Single(t => (string)t!["name"]! == "month")!;
        Assert.Equal(expires.ToUnixTimeMilliseconds(), DateTimeOffset.Parse((string)entry["expiresAt"]!, System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds());
        Assert.False((bool)entry["expired"]!);
    }
}

public sealed class ApiTokenOnSqliteTests(EngineFactory factory) : ApiTokenContract(factory), IClassFixture<EngineFactory>;

public sealed class ApiTokenOnPostgresTests(PostgresEngineFactory factory) : ApiTokenContract(factory), IClassFixture<PostgresEngineFactory>;

/// <summary>Expiry and revocation as other servers on the same store see them, on a clock the test moves.</summary>
public sealed class ApiTokenAcrossServersTests(TwoServersOnOneStore servers) : IClassFixture<TwoServersOnOneStore>
{
    private PostgresEngineFactory First => servers.First;

    private SameStoreServer Second => servers.Second;

    [Fact]
    public async Task A_token_revoked_on_one_server_is_refused_on_another_within_aSecond_and_an_expired_one_everywhere()
    {
        Assert.True(ApiTokenCache.Lifetime <= TimeSpan.FromSeconds(1));
        using var tenant = await TestTenant.CreateAsync(First);
        var (_, _, _, agentToken) = await tenant.AddAgentAsync();
        using var onSecond = ApiClient.Bearer(Second, agentToken);
        await onSecond.GetOkAsync($"{tenant.Base}/me/api-tokens");

        var tokenId = (string)(await onSecond.GetOkAsync($"{tenant.Base}/me/api-tokens"))["items"]![0]!["id"]!;
        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Admin.SendAsync(HttpMethod.Delete, $"{tenant.Base}/api-tokens/{tokenId}")).StatusCode);
        // The second server may still answer from what it read in the last half second, never longer.
        Second.Manual.Advance(ApiTokenCache.Lifetime + TimeSpan.FromMilliseconds(1));
        await ApiClient.ProblemAsync(await onSecond.GetAsync($"{tenant.Base}/me/api-tokens"), HttpStatusCode.Unauthorized);

        var expiring = (string)(await tenant.Admin.PostOkAsync($"{tenant.Base}/api-tokens", new { name = "hour", expiresAt = DateTimeOffset.UtcNow.AddHours(1) }))["token"]!;
        using var hourly = ApiClient.Bearer(Second, expiring);
        await hourly.GetOkAsync($"{tenant.Base}/skill-groups");
        // The expiry was set on the real clock, which runs a few seconds ahead of the second server's frozen one.
        Second.Manual.Advance(TimeSpan.FromHours(1) + TimeSpan.FromMinutes(1));
        await ApiClient.ProblemAsync(await hourly.GetAsync($"{tenant.Base}/skill-groups"), HttpStatusCode.Unauthorized);
    }
}
