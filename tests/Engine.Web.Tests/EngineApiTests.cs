using System.Net;
using System.Net.Http.Json;
using Engine.Grains.Routing;
using Engine.Routing;
using Engine.Web.Api;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

using Engine.Web.Tests.Support;

namespace Engine.Web.Tests;

public sealed class EngineApiTests(EngineFactory factory) : IClassFixture<EngineFactory>
{
    [Fact]
    public async Task Healthz_answers_healthy()
    {
        using var client = factory.CreateClient();
        var response = await client.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Stats_count_live_activations_agents_by_status_and_queued_and_active_conversations()
    {
        using var op = await ApiClient.SignInAsync(factory, EngineFactory.OperatorEmail, EngineFactory.OperatorPassword);
        var client = op.Http;
        var grains = factory.Services.GetRequiredService<IGrainFactory>();
        var tenant = "stats-" + Guid.NewGuid().ToString("N");
        var before = await client.GetFromJsonAsync<EngineStats>("/api/v1/engine/stats");

        await grains.Tenant(tenant).CreateSkillGroup("g1", ServiceMode.Online, 1, []);
        await grains.SkillGroup(tenant, "g1").AddMember("a1");
        await grains.SkillGroup(tenant, "g1").AddMember("a2");
        await grains.Agent(tenant, "a1").GoOnline();
        await grains.Conversation(tenant, "c1").Start("v1", ServiceMode.Online, "g1");
        await grains.Conversation(tenant, "c1").Answer("a1");
        await grains.Conversation(tenant, "c2").Start("v2", ServiceMode.Online, "g1");

        var after = await client.GetFromJsonAsync<EngineStats>("/api/v1/engine/stats");
        Assert.NotNull(before);
        Assert.NotNull(after);
        Assert.True(after.Activations >= before.Activations + 6, $"activations {before.Activations} -> {after.Activations}");
        Assert.Equal(before.Agents.Busy + 1, after.Agents.Busy);
        Assert.Equal(before.Agents.Offline + 1, after.Agents.Offline);
        Assert.Equal(before.Conversations.Active + 1, after.Conversations.Active);
        Assert.Equal(before.Conversations.Queued + 1, after.Conversations.Queued);
    }

    [Fact]
    public async Task Stats_are_for_the_platform_operator_only()
    {
        using var anonymous = ApiClient.Anonymous(factory);
        await ApiClient.ProblemAsync(await anonymous.GetAsync("/api/v1/engine/stats"), HttpStatusCode.Unauthorized);
        using var tenant = await TestTenant.CreateAsync(factory);
        await ApiClient.ProblemAsync(await tenant.Admin.GetAsync("/api/v1/engine/stats"), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task The_OpenAPI_document_describes_every_api_route()
    {
        using var client = factory.CreateClient();
        var document = System.Text.Json.Nodes.JsonNode.Parse(await client.GetStringAsync("/openapi/v1.json"))!;
        var paths = document["paths"]!.AsObject().Select(p => p.Key.TrimEnd('/')).ToHashSet(StringComparer.Ordinal);
        var routes = factory.Services.GetRequiredService<Microsoft.AspNetCore.Routing.EndpointDataSource>().Endpoints
            .OfType<Microsoft.AspNetCore.Routing.RouteEndpoint>()
            .Select(e => "/" + e.RoutePattern.RawText!.Trim('/'))
            .Where(p => p.StartsWith("/api/v1/", StringComparison.Ordinal))
            .ToHashSet(StringComparer.Ordinal);
        Assert.Empty(routes.Except(paths));
    }

    [Fact]
    public async Task Unknown_routes_answer_problem_details()
    {
        using var client = factory.CreateClient();
        var response = await client.GetAsync("/api/v1/nothing-here");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}

public sealed class StoreStartupTests
{
    [Fact]
    public async Task The_server_creates_its_SQLite_file_under_the_data_dir_and_applies_migrations()
    {
        await using var factory = new EngineFactory();
        using var client = factory.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
        var database = factory.Services.GetRequiredService<Engine.Persistence.Database>();
        Assert.Equal(Engine.Persistence.StoreKind.Sqlite, database.Dialect.Kind);
        await using var connection = await database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM schema_migrations";
        Assert.Equal(Engine.Persistence.Migrator.Scripts().Select(s => s.Version).Distinct().Count(), Convert.ToInt32(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture));
    }
}
