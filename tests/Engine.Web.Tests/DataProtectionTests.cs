using System.Net;
using System.Net.Http.Json;
using Dapper;
using Engine.Web.Infrastructure;
using Engine.Web.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Engine.Web.Tests;

/// <summary>The Data Protection key ring: shared by the servers of a PostgreSQL store, encrypted at rest on both stores.</summary>
public sealed class DataProtectionOnPostgresTests(TwoServersOnOneStore servers) : IClassFixture<TwoServersOnOneStore>
{
    private PostgresEngineFactory First => servers.First;

    private SameStoreServer Second => servers.Second;

    [Fact]
    public async Task A_cookie_and_its_csrf_token_from_one_server_are_accepted_on_another()
    {
        using var first = First.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { HandleCookies = false });
        using var signIn = await first.PostAsJsonAsync("/api/v1/sign-in", new { email = EngineFactory.OperatorEmail, password = EngineFactory.OperatorPassword });
        signIn.EnsureSuccessStatusCode();
        var csrf = (string)System.Text.Json.Nodes.JsonNode.Parse(await signIn.Content.ReadAsStringAsync())!["csrfToken"]!;
        var cookies = string.Join("; ", signIn.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]));

        using var second = Second.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { HandleCookies = false });
        second.DefaultRequestHeaders.Add("Cookie", cookies);
        second.DefaultRequestHeaders.Add("X-CSRF-TOKEN", csrf);
        using var me = await second.GetAsync("/api/v1/me");
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        Assert.Contains(EngineFactory.OperatorEmail, await me.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var created = await second.PostAsJsonAsync("/api/v1/tenants", new { name = "Made on the second", adminName = "A", adminEmail = $"a-{Guid.NewGuid():N}@t.test" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
    }

    [Fact]
    public async Task Keys_are_stored_in_the_database_encrypted_and_a_server_without_the_key_does_not_start()
    {
        using var _ = await ApiClient.SignInAsync(First, EngineFactory.OperatorEmail, EngineFactory.OperatorPassword);
        await using (var connection = await First.Services.GetRequiredService<Engine.Persistence.Database>().OpenAsync())
        {
            var keys = (await connection.QueryAsync<string>("SELECT xml FROM data_protection_keys")).ToList();
            Assert.NotEmpty(keys);
            Assert.All(keys, xml =>
            {
                Assert.Contains("encryptedSecret", xml, StringComparison.Ordinal);
                Assert.DoesNotContain("masterKey", xml, StringComparison.Ordinal);
            });
        }

        await using var keyless = SameStoreServer.Beside(First, new Dictionary<string, string> { [DataProtectionSetup.KeySetting] = "" });
        var refused = Assert.ThrowsAny<Exception>(() => keyless.CreateClient());
        Assert.Contains(DataProtectionSetup.KeySetting, refused.ToString(), StringComparison.Ordinal);
    }
}

public sealed class DataProtectionOnSqliteTests(EngineFactory factory) : IClassFixture<EngineFactory>
{
    [Fact]
    public async Task The_embedded_server_keeps_its_keys_encrypted_under_the_data_folder_with_a_key_of_its_own_apart_from_them()
    {
        using var _ = await ApiClient.SignInAsync(factory, EngineFactory.OperatorEmail, EngineFactory.OperatorPassword);
        var dataDir = factory.Services.GetRequiredService<IConfiguration>()["Engine:DataDir"]!;
        var keys = Directory.GetFiles(Path.Combine(dataDir, "keys"), "*.xml");
        Assert.NotEmpty(keys);
        Assert.All(keys, file => Assert.DoesNotContain("masterKey", File.ReadAllText(file), StringComparison.Ordinal));
        var secret = new FileInfo(Path.Combine(dataDir, "secrets", "key-encryption.key"));
        Assert.Equal(32, secret.Length);
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(secret.FullName));
    }
}
