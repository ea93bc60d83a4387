using System.Net;
using System.Text.Json.Nodes;
using Dapper;
using Engine.Persistence;
using Engine.Web.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Engine.Web.Tests;

/// <summary>CH-1..CH-3 and the flow lifecycle they drive (FL-6 InUse) through the REST API; on SQLite and PostgreSQL.</summary>
public abstract class ChannelApiContract(EngineFactory factory)
{
    private static object Flow(string name, string mode, bool publish = true) => new
    {
        name, mode, publish,
        modules = new object[] { new { type = "start", id = "s", label = "S", next = "e" }, new { type = "end", id = "e", label = "E" } },
    };

    [Fact]
    public async Task CH1_Each_kind_takes_its_settings_and_serves_its_modes()
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        var wechat = await tenant.Admin.PostOkAsync($"{tenant.Base}/channels", new { kind = "wechat", name = "公众号", appId = "wx1234567890" });
        Assert.Equal(("online", "wx1234567890"), ((string)wechat["channel"]!["mode"]!, (string)wechat["channel"]!["settings"]!["appId"]!));
        await ApiClient.FieldErrorAsync(await tenant.Admin.PostAsync($"{tenant.Base}/channels", new { kind = "wechat", name = "x", mode = "omni", appId = "wx1" }), "mode");

        var site = await tenant.Admin.PostOkAsync($"{tenant.Base}/channels", new { kind = "website", name = "官网", domain = "Shop.Example.com" });
        Assert.Equal("shop.example.com", (string)site["channel"]!["settings"]!["domain"]!);
        await ApiClient.FieldErrorAsync(await tenant.Admin.PostAsync($"{tenant.Base}/channels", new { kind = "website", name = "x", domain = "not a host" }), "domain");

        var phone = await tenant.Admin.PostOkAsync($"{tenant.Base}/channels", new { kind = "phone", name = "热线", number = "+864001234567", direction = "both" });
        Assert.Equal(("phone", "both"), ((string)phone["channel"]!["mode"]!, (string)phone["channel"]!["settings"]!["direction"]!));
        await ApiClient.FieldErrorAsync(await tenant.Admin.PostAsync($"{tenant.Base}/channels", new { kind = "phone", name = "x", number = "12ab" , direction = "in" }), "number");

        await ApiClient.FieldErrorAsync(await tenant.Admin.PostAsync($"{tenant.Base}/channels", new { kind = "mini-program", name = "x", appId = "wx9" }), "mode");
        await ApiClient.FieldErrorAsync(await tenant.Admin.PostAsync($"{tenant.Base}/channels", new { kind = "mini-program", name = "x", appId = "wx9", mode = "omni" }), "secret");
        await ApiClient.FieldErrorAsync(await tenant.Admin.PostAsync($"{tenant.Base}/channels", new { kind = "fax", name = "x" }), "kind");
        Assert.Equal(3, (int)(await tenant.Admin.GetOkAsync($"{tenant.Base}/channels"))["total"]!);
    }

    [Fact]
    public async Task CH1_A_mini_programs_secret_is_stored_encrypted_and_never_shown()
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        const string secret = "mini-program-secret-4711";
        var created = await tenant.Admin.PostOkAsync($"{tenant.Base}/channels", new { kind = "mini-program", name = "小程序", mode = "omni", appId = "wxabc", secret });
        var id = (string)created["channel"]!["id"]!;
        Assert.True((bool)created["channel"]!["settings"]!["hasSecret"]!);
        Assert.DoesNotContain(secret, created.ToJsonString(), StringComparison.Ordinal);
        await tenant.Admin.OkAsync(HttpMethod.Patch, $"{tenant.Base}/channels/{id}", new { secret = secret + "-2" });
        Assert.DoesNotContain(secret, (await tenant.Admin.GetOkAsync($"{tenant.Base}/channels/{id}")).ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain(secret, (await tenant.Admin.GetOkAsync($"{tenant.Base}/channels")).ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain(secret, (await tenant.Admin.GetOkAsync($"{tenant.Base}/audit")).ToJsonString(), StringComparison.Ordinal);
        await using var connection = await factory.Services.GetRequiredService<Database>().OpenAsync();
        Assert.DoesNotContain(secret, await connection.ExecuteScalarAsync<string>("SELECT settings FROM channels WHERE id = @id", new { id }), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CH2_FL6_Binding_makes_a_published_flow_InUse_and_the_last_channel_letting_go_makes_it_Published_again()
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        var flowA = (string)(await tenant.Admin.PostOkAsync($"{tenant.Base}/flows", Flow("A", "online")))["id"]!;
        var flowB = (string)(await tenant.Admin.PostOkAsync($"{tenant.Base}/flows", Flow("B", "online")))["id"]!;
        var draft = (string)(await tenant.Admin.PostOkAsync($"{tenant.Base}/flows", Flow("Draft", "online", publish: false)))["id"]!;
        var ivr = (string)(await tenant.Admin.PostOkAsync($"{tenant.Base}/flows", Flow("IVR", "phone")))["id"]!;
        var site = (string)(await tenant.Admin.PostOkAsync($"{tenant.Base}/channels", new { kind = "website", name = "官网", domain = "shop.example.com", flowId = flowA }))["channel"]!["id"]!;
        var wechat = (string)(await tenant.Admin.PostOkAsync($"{tenant.Base}/channels", new { kind = "wechat", name = "公众号", appId = "wx1" }))["channel"]!["id"]!;
        Assert.Equal("inUse", await StatusAsync(tenant, flowA));

        // Only a published flow of the channel's mode.
        Assert.Contains("Unpublished", (string)(await ApiClient.ProblemAsync(await Bind(tenant, wechat, draft), HttpStatusCode.Conflict))["detail"]!, StringComparison.Ordinal);
        Assert.Contains("phone", (string)(await ApiClient.ProblemAsync(await Bind(tenant, wechat, ivr), HttpStatusCode.Conflict))["detail"]!, StringComparison.Ordinal);
        await ApiClient.FieldErrorAsync(await Bind(tenant, wechat, "no-such-flow"), "flowId");

        // One flow serves many channels; it stays InUse until the last lets go.
        Assert.Equal(HttpStatusCode.OK, (await Bind(tenant, wechat, flowA)).StatusCode);
        var listed = (await tenant.Admin.GetOkAsync($"{tenant.Base}/flows/{flowA}"))["channels"]!.AsArray().Select(c => (string)c!["id"]!).Order();
        Assert.Equal(new[] { site, wechat }.Order(), listed);
        Assert.Contains("InUse", (string)(await ApiClient.ProblemAsync(await tenant.Admin.PostAsync($"{tenant.Base}/flows/{flowA}/unpublish"), HttpStatusCode.Conflict))["detail"]!, StringComparison.Ordinal);
        await tenant.Admin.OkAsync(HttpMethod.Delete, $"{tenant.Base}/channels/{wechat}/flow");
        Assert.Equal("inUse", await StatusAsync(tenant, flowA));

        // Changing the flow: the old one is Published again, the new one InUse.
        Assert.Equal(HttpStatusCode.OK, (await Bind(tenant, site, flowB)).StatusCode);
        Assert.Equal(("published", "inUse"), (await StatusAsync(tenant, flowA), await StatusAsync(tenant, flowB)));
        Assert.Equal(flowB, (string)(await tenant.Admin.GetOkAsync($"{tenant.Base}/channels/{site}"))["flow"]!["id"]!);
        await tenant.Admin.OkAsync(HttpMethod.Delete, $"{tenant.Base}/channels/{site}");
        Assert.Equal("published", await StatusAsync(tenant, flowB));
    }

    [Fact]
    public async Task CH2_A_bind_racing_an_unpublish_never_leaves_a_channel_on_an_unpublished_flow()
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        for (var round = 0; round < 5; round++)
        {
            var flow = (string)(await tenant.Admin.PostOkAsync($"{tenant.Base}/flows", Flow($"F{round}", "online")))["id"]!;
            var channel = (string)(await tenant.Admin.PostOkAsync($"{tenant.Base}/channels", new { kind = "wechat", name = $"C{round}", appId = "wx1" }))["channel"]!["id"]!;
            var bind = Bind(tenant, channel, flow);
            var unpublish = tenant.Admin.PostAsync($"{tenant.Base}/flows/{flow}/unpublish");
            var results = await Task.WhenAll(bind, unpublish);
            Assert.Equal(1, results.Count(r => r.StatusCode == HttpStatusCode.OK));
            Assert.Equal(1, results.Count(r => r.StatusCode == HttpStatusCode.Conflict));
            var bound = (await tenant.Admin.GetOkAsync($"{tenant.Base}/channels/{channel}"))["flow"] is not null;
            Assert.Equal(bound ? "inUse" : "unpublished", await StatusAsync(tenant, flow));
        }
    }

    [Fact]
    public async Task The_adapter_token_and_webhook_secret_are_shown_once_and_replaced_on_request()
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        var created = await tenant.Admin.PostOkAsync($"{tenant.Base}/channels", new { kind = "wechat", name = "公众号", appId = "wx1", webhookUrl = "https://hooks.example/wechat" });
        var (id, token, secret) = ((string)created["channel"]!["id"]!, (string)created["token"]!, (string)created["webhookSecret"]!);
        Assert.StartsWith("chn_", token, StringComparison.Ordinal);
        Assert.Equal(64, secret.Length);
        var view = (await tenant.Admin.GetOkAsync($"{tenant.Base}/channels/{id}")).ToJsonString();
        Assert.DoesNotContain(token, view, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, view, StringComparison.Ordinal);
        var renewed = await tenant.Admin.PostOkAsync($"{tenant.Base}/channels/{id}/credentials");
        Assert.NotEqual(token, (string)renewed["token"]!);
        Assert.NotEqual(secret, (string)renewed["webhookSecret"]!);
        var trail = (await tenant.Admin.GetOkAsync($"{tenant.Base}/audit")).ToJsonString();
        foreach (var shown in new[] { token, secret, (string)renewed["token"]!, (string)renewed["webhookSecret"]! }) Assert.DoesNotContain(shown, trail, StringComparison.Ordinal);
    }

    private static Task<HttpResponseMessage> Bind(TestTenant tenant, string channel, string flow)
        => tenant.Admin.SendAsync(HttpMethod.Put, $"{tenant.Base}/channels/{channel}/flow", new { flowId = flow });

    private static async Task<string> StatusAsync(TestTenant tenant, string flow)
        => (string)(await tenant.Admin.GetOkAsync($"{tenant.Base}/flows/{flow}"))["status"]!;
}

public sealed class ChannelApiOnSqliteTests(EngineFactory factory) : ChannelApiContract(factory), IClassFixture<EngineFactory>;

public sealed class ChannelApiOnPostgresTests(PostgresEngineFactory factory) : ChannelApiContract(factory), IClassFixture<PostgresEngineFactory>;
