using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Engine.Flows;
using Engine.Web.Admin;
using Engine.Web.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Engine.Web.Tests;

/// <summary>FL-6, FL-7 through the REST API: the lifecycle, publish checks (422), forbidden steps (409 naming the status) and listings; on SQLite and PostgreSQL.</summary>
public abstract class FlowApiContract(EngineFactory factory)
{
    /// <summary>A tenant with the samples' skill groups, and a sample's body ready to post.</summary>
    private async Task<(TestTenant Tenant, JsonObject Online, JsonObject Ivr)> SetUpAsync()
    {
        var tenant = await TestTenant.CreateAsync(factory);
        var groups = new Dictionary<string, string>
        {
            ["产品咨询"] = await tenant.AddGroupAsync(name: "产品咨询"),
            ["商务合作"] = await tenant.AddGroupAsync(name: "商务合作"),
            ["热线"] = await tenant.AddGroupAsync(mode: "phone", receptionCap: null, name: "热线"),
        };
        return (tenant, Body(FlowSamples.Load(FlowSamples.Online, groups)), Body(FlowSamples.Load(FlowSamples.Ivr, groups)));
    }

    private static JsonObject Body(FlowDocument document) => JsonSerializer.SerializeToNode(document, FlowJson.Options)!.AsObject();

    [Fact]
    public async Task FL6_A_flow_is_saved_unpublished_published_unpublished_edited_again_and_deleted()
    {
        var (tenant, online, _) = await SetUpAsync();
        using var _ = tenant;
        var created = await tenant.Admin.PostOkAsync($"{tenant.Base}/flows", online);
        var id = (string)created["id"]!;
        Assert.Equal(("unpublished", 1), ((string)created["status"]!, (int)created["version"]!));

        var renamed = await tenant.Admin.OkAsync(HttpMethod.Put, $"{tenant.Base}/flows/{id}", new { name = "在线咨询 2" });
        Assert.Equal(("在线咨询 2", 2, "unpublished"), ((string)renamed["name"]!, (int)renamed["version"]!, (string)renamed["status"]!));

        var published = await tenant.Admin.PostOkAsync($"{tenant.Base}/flows/{id}/publish");
        Assert.Equal("published", (string)published["status"]!);

        var edit = await tenant.Admin.SendAsync(HttpMethod.Put, $"{tenant.Base}/flows/{id}", new { name = "x" });
        Assert.Contains("Published", (string)(await ApiClient.ProblemAsync(edit, HttpStatusCode.Conflict))["detail"]!, StringComparison.Ordinal);
        Assert.Contains("Published", (string)(await ApiClient.ProblemAsync(await tenant.Admin.SendAsync(HttpMethod.Delete, $"{tenant.Base}/flows/{id}"), HttpStatusCode.Conflict))["detail"]!, StringComparison.Ordinal);
        Assert.Contains("Published", (string)(await ApiClient.ProblemAsync(await tenant.Admin.PostAsync($"{tenant.Base}/flows/{id}/publish"), HttpStatusCode.Conflict))["detail"]!, StringComparison.Ordinal);

        Assert.Equal("unpublished", (string)(await tenant.Admin.PostOkAsync($"{tenant.Base}/flows/{id}/unpublish"))["status"]!);
        Assert.Contains("Unpublished", (string)(await ApiClient.ProblemAsync(await tenant.Admin.PostAsync($"{tenant.Base}/flows/{id}/unpublish"), HttpStatusCode.Conflict))["detail"]!, StringComparison.Ordinal);
        await tenant.Admin.OkAsync(HttpMethod.Put, $"{tenant.Base}/flows/{id}", new { name = "在线咨询 3" });
        await tenant.Admin.OkAsync(HttpMethod.Delete, $"{tenant.Base}/flows/{id}");
        await ApiClient.ProblemAsync(await tenant.Admin.GetAsync($"{tenant.Base}/flows/{id}"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task FL6_Save_and_publish_publishes_a_valid_flow_at_once_and_the_view_shows_its_modules()
    {
        var (tenant, online, ivr) = await SetUpAsync();
        using var _ = tenant;
        online["publish"] = true;
        var created = await tenant.Admin.PostOkAsync($"{tenant.Base}/flows", online);
        Assert.Equal("published", (string)created["status"]!);
        var view = await tenant.Admin.GetOkAsync($"{tenant.Base}/flows/{(string)created["id"]!}");
        Assert.Equal(["start", "message", "branch", "transfer", "transfer", "end"], view["modules"]!.AsArray().Select(m => (string)m!["type"]!));
        Assert.Equal("1", (string)view["modules"]![2]!["options"]![0]!["keywords"]![0]!);
        Assert.Equal(["id", "label", "next", "type"], view["modules"]![0]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal));

        ivr["publish"] = true;
        Assert.Equal("published", (string)(await tenant.Admin.PostOkAsync($"{tenant.Base}/flows", ivr))["status"]!);
    }

    [Fact]
    public async Task FL1_Publishing_a_flow_with_problems_is_a_422_listing_every_problem_with_its_module_and_changes_nothing()
    {
        var (tenant, online, _) = await SetUpAsync();
        using var _ = tenant;
        var modules = online["modules"]!.AsArray();
        modules[1]!["text"] = "";
        modules[3]!["skillGroupId"] = "no-such-group";
        modules[2]!["options"]![1]!["keywords"] = new JsonArray("1");
        var id = (string)(await tenant.Admin.PostOkAsync($"{tenant.Base}/flows", online))["id"]!;

        var problem = await ApiClient.ProblemAsync(await tenant.Admin.PostAsync($"{tenant.Base}/flows/{id}/publish"), HttpStatusCode.UnprocessableEntity);
        var problems = problem["problems"]!.AsArray().Select(p => ((string)p!["module"]!, (string)p["field"]!)).Order().ToArray();
        Assert.Equal([("menu", "options[1].keywords"), ("to-products", "skillGroupId"), ("welcome", "text")], problems);
        Assert.Equal("unpublished", (string)(await tenant.Admin.GetOkAsync($"{tenant.Base}/flows/{id}"))["status"]!);

        // Save and publish of a flow with problems saves nothing.
        online["publish"] = true;
        online["name"] = "Never saved";
        await ApiClient.ProblemAsync(await tenant.Admin.PostAsync($"{tenant.Base}/flows", online), HttpStatusCode.UnprocessableEntity);
        Assert.DoesNotContain("Never saved", (await tenant.Admin.GetOkAsync($"{tenant.Base}/flows")).ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task FL7_The_list_shows_name_update_time_id_channels_and_status_newest_change_first_and_filters_by_status()
    {
        var (tenant, online, ivr) = await SetUpAsync();
        using var _ = tenant;
        var draft = (string)(await tenant.Admin.PostOkAsync($"{tenant.Base}/flows", online))["id"]!;
        ivr["publish"] = true;
        var live = (string)(await tenant.Admin.PostOkAsync($"{tenant.Base}/flows", ivr))["id"]!;

        var list = await tenant.Admin.GetOkAsync($"{tenant.Base}/flows");
        Assert.Equal(2, (int)list["total"]!);
        Assert.Equal([live, draft], list["items"]!.AsArray().Select(f => (string)f!["id"]!));
        var first = list["items"]![0]!;
        Assert.Equal(("热线 IVR", "phone", "published"), ((string)first["name"]!, (string)first["mode"]!, (string)first["status"]!));
        Assert.NotNull(first["updatedAt"]);
        Assert.Empty(first["channels"]!.AsArray());
        Assert.Equal([draft], (await tenant.Admin.GetOkAsync($"{tenant.Base}/flows?status=unpublished"))["items"]!.AsArray().Select(f => (string)f!["id"]!));
        await ApiClient.FieldErrorAsync(await tenant.Admin.GetAsync($"{tenant.Base}/flows?status=gone"), "status");
    }

    [Fact]
    public async Task Bad_flows_are_refused_naming_the_field()
    {
        var (tenant, online, _) = await SetUpAsync();
        using var _ = tenant;
        online["modules"]![1]!["type"] = "teleport";
        Assert.Contains("type", await ApiClient.FieldErrorAsync(await tenant.Admin.PostAsync($"{tenant.Base}/flows", online), "modules[1]"), StringComparison.Ordinal);
        online["modules"]![1]!.AsObject().Remove("type");
        Assert.Contains("type", await ApiClient.FieldErrorAsync(await tenant.Admin.PostAsync($"{tenant.Base}/flows", online), "modules[1]"), StringComparison.Ordinal);
        await ApiClient.FieldErrorAsync(await tenant.Admin.PostAsync($"{tenant.Base}/flows", new { name = "x", mode = "fax", modules = Array.Empty<object>() }), "mode");
        // Malformed modules are 400s naming the module, never a failure of the server.
        foreach (var (module, field) in new (object? Module, string Field)[]
        {
            (new { type = "branch", id = "b", label = "B", prompt = "p", invalidPrompt = "i" }, "modules[0]"),
            (new { type = "branch", id = "b", label = "B", prompt = "p", invalidPrompt = "i", options = new object?[] { null } }, "modules[0]"),
            (new { type = "branch", id = "b", label = "B", prompt = "p", invalidPrompt = "i", options = new[] { new { name = "n", keywords = (string[]?)null, next = "e" } } }, "modules[0]"),
            (new { type = "start", label = "S", next = "e" }, "modules[0]"),
            (null, "modules[0]"),
        })
        {
            var response = await tenant.Admin.PostAsync($"{tenant.Base}/flows", new { name = "malformed", mode = "online", modules = new[] { module } });
            await ApiClient.FieldErrorAsync(response, field);
        }
        await ApiClient.FieldErrorAsync(await tenant.Admin.PostAsync($"{tenant.Base}/flows", new { name = "x", mode = "online" }), "modules");
        var id = (string)(await tenant.Admin.PostOkAsync($"{tenant.Base}/flows", new { name = "same", mode = "online", modules = Array.Empty<object>() }))["id"]!;
        await ApiClient.FieldErrorAsync(await tenant.Admin.PostAsync($"{tenant.Base}/flows", new { name = "same", mode = "online", modules = Array.Empty<object>() }), "name", HttpStatusCode.Conflict);
        await ApiClient.FieldErrorAsync(await tenant.Admin.SendAsync(HttpMethod.Put, $"{tenant.Base}/flows/{id}", new { mode = "phone" }), "mode");
    }

    [Fact]
    public async Task FL6_Parallel_edits_of_one_version_save_exactly_one_and_refuse_the_others()
    {
        var (tenant, online, _) = await SetUpAsync();
        using var _ = tenant;
        var id = (string)(await tenant.Admin.PostOkAsync($"{tenant.Base}/flows", online))["id"]!;
        var edits = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => tenant.Admin.SendAsync(HttpMethod.Put, $"{tenant.Base}/flows/{id}", new { name = $"edit {i}", version = 1 })));
        Assert.Equal(1, edits.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Equal(7, edits.Count(r => r.StatusCode == HttpStatusCode.Conflict));
        Assert.Equal(2, (int)(await tenant.Admin.GetOkAsync($"{tenant.Base}/flows/{id}"))["version"]!);

        // A publish naming a version that an edit replaced is refused; the edit's version is not published unchecked.
        var stale = await tenant.Admin.PostAsync($"{tenant.Base}/flows/{id}/publish", new { version = 1 });
        await ApiClient.ProblemAsync(stale, HttpStatusCode.Conflict);
        Assert.Equal("unpublished", (string)(await tenant.Admin.GetOkAsync($"{tenant.Base}/flows/{id}"))["status"]!);
    }
}

public sealed class FlowApiOnSqliteTests(EngineFactory factory) : FlowApiContract(factory), IClassFixture<EngineFactory>;

public sealed class FlowApiOnPostgresTests(PostgresEngineFactory factory) : FlowApiContract(factory), IClassFixture<PostgresEngineFactory>;

/// <summary>The demo seed of a first start (no operator from configuration): the sample flows, published, on the demo's groups.</summary>
public sealed class DemoSeedTests(DemoSeedTests.DemoServer factory) : IClassFixture<DemoSeedTests.DemoServer>
{
    public sealed class DemoServer : EngineFactory
    {
        protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Engine:Operator:Email", "");
            builder.UseSetting("Engine:Operator:Password", "");
            builder.UseSetting("Engine:Demo:Seed", "true");
        }
    }

    [Fact]
    public async Task FL6_The_demo_tenant_has_both_sample_flows_published_on_its_groups_and_the_web_chat_sample_on_a_website()
    {
        using var client = factory.CreateClient();
        var services = factory.Services;
        var tenants = services.GetRequiredService<Engine.Persistence.Admin.TenantStore>();
        var tenant = (await tenants.ListAsync(0, 10, default)).Items.Single();
        var (page, _) = await services.GetRequiredService<Engine.Persistence.Admin.FlowStore>().ListAsync(tenant.Id, null, null, 0, 10, default);
        // The web chat sample serves the demo website channel (in use); the IVR waits for a phone number (published).
        Assert.Equal([("online", "inUse"), ("phone", "published")], page.Items.Select(f => (f.Mode, f.Status)).Order());
        Assert.Equal(["在线咨询", "热线 IVR"], page.Items.Select(f => f.Name).Order(StringComparer.Ordinal));
        var groups = (await services.GetRequiredService<Engine.Persistence.Admin.SkillGroupStore>().ListAsync(tenant.Id, null, 0, 10, default)).Items.ToDictionary(g => g.Id, g => g.Name);
        var online = FlowJson.ReadDefinition(page.Items.Single(f => f.Mode == "online").Definition);
        Assert.Equal(["产品咨询", "商务合作"], online.Modules.OfType<TransferModule>().Select(t => groups[t.SkillGroupId!]));
        var ivr = FlowJson.ReadDefinition(page.Items.Single(f => f.Mode == "phone").Definition);
        Assert.Equal(["Hotline"], ivr.Modules.OfType<TransferModule>().Select(t => groups[t.SkillGroupId!]));
        var channels = await services.GetRequiredService<Engine.Persistence.Admin.ChannelStore>().ListAsync(tenant.Id, "website", 0, 10, default);
        var site = Assert.Single(channels.Items);
        Assert.Equal(page.Items.Single(f => f.Mode == "online").Id, site.FlowId);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await client.GetAsync($"/chat/{site.ChannelKey}")).StatusCode);
    }
}
