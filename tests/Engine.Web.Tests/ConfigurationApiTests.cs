using System.Net;
using Engine.Web.Tests.Support;

namespace Engine.Web.Tests;

public abstract class ConfigurationApiContract(EngineFactory factory)
{
    [Fact]
    public async Task ST3_quick_replies_are_added_edited_and_deleted_by_admins_and_read_by_agents()
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        var created = await tenant.Admin.PostOkAsync($"{tenant.Base}/quick-replies", new { title = "问候", body = "您好,请问有什么可以帮您?" });
        var id = (string)created["id"]!;
        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Admin.SendAsync(HttpMethod.Put, $"{tenant.Base}/quick-replies/{id}", new { title = "Greeting", body = "Hello!" })).StatusCode);

        var (_, _, _, token) = await tenant.AddAgentAsync();
        using var agent = ApiClient.Bearer(factory, token);
        var list = await agent.GetOkAsync($"{tenant.Base}/quick-replies");
        Assert.Equal(("Greeting", "Hello!"), ((string?)list["items"]![0]!["title"], (string?)list["items"]![0]!["body"]));
        await ApiClient.ProblemAsync(await agent.PostAsync($"{tenant.Base}/quick-replies", new { title = "Mine", body = "x" }), HttpStatusCode.Forbidden);

        await ApiClient.FieldErrorAsync(await tenant.Admin.PostAsync($"{tenant.Base}/quick-replies", new { title = "", body = "x" }), "title");
        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Admin.SendAsync(HttpMethod.Delete, $"{tenant.Base}/quick-replies/{id}")).StatusCode);
        Assert.Equal(0, (int)(await agent.GetOkAsync($"{tenant.Base}/quick-replies"))["total"]!);
    }

    [Fact]
    public async Task ST2_at_most_five_screen_pops_even_when_added_in_parallel()
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(i =>
            tenant.Admin.PostAsync($"{tenant.Base}/screen-pops", new { name = $"Pop {i}", url = $"https://crm.example/{i}", enabled = true })));
        Assert.Equal(5, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(5, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));
        var pops = (await tenant.Admin.GetOkAsync($"{tenant.Base}/screen-pops")).AsArray();
        Assert.Equal(5, pops.Count);
        Assert.Equal([1, 2, 3, 4, 5], pops.Select(p => (int)p!["position"]!));
    }

    [Fact]
    public async Task ST2_screen_pops_move_up_and_down_and_agents_see_the_enabled_ones_in_order()
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        var ids = new List<string>();
        foreach (var (name, enabled) in new[] { ("Ticket", true), ("CRM", true), ("Off", false) })
            ids.Add((string)(await tenant.Admin.PostOkAsync($"{tenant.Base}/screen-pops", new { name, url = "https://crm.example/" + name, enabled }))["id"]!);

        var moved = (await tenant.Admin.PostOkAsync($"{tenant.Base}/screen-pops/{ids[1]}/move", new { direction = "up" })).AsArray();
        Assert.Equal(["CRM", "Ticket", "Off"], moved.Select(p => (string)p!["name"]!));
        var unchanged = (await tenant.Admin.PostOkAsync($"{tenant.Base}/screen-pops/{ids[2]}/move", new { direction = "down" })).AsArray();
        Assert.Equal(["CRM", "Ticket", "Off"], unchanged.Select(p => (string)p!["name"]!));
        await ApiClient.FieldErrorAsync(await tenant.Admin.PostAsync($"{tenant.Base}/screen-pops/{ids[0]}/move", new { direction = "left" }), "direction");

        var (_, _, _, token) = await tenant.AddAgentAsync();
        using var agent = ApiClient.Bearer(factory, token);
        Assert.Equal(["CRM", "Ticket"], (await agent.GetOkAsync($"{tenant.Base}/screen-pops")).AsArray().Select(p => (string)p!["name"]!));
    }

    [Theory]
    [InlineData("javascript:alert(1)")]
    [InlineData("/relative/path")]
    [InlineData("ftp://files.example/x")]
    public async Task ST2_a_screen_pop_address_must_be_absolute_http_or_https(string url)
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        await ApiClient.FieldErrorAsync(await tenant.Admin.PostAsync($"{tenant.Base}/screen-pops", new { name = "Bad", url }), "url");
    }
}

public sealed class ConfigurationApiOnSqliteTests(EngineFactory factory) : ConfigurationApiContract(factory), IClassFixture<EngineFactory>;

public sealed class ConfigurationApiOnPostgresTests(PostgresEngineFactory factory) : ConfigurationApiContract(factory), IClassFixture<PostgresEngineFactory>;
