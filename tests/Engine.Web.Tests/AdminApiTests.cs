using System.Net;
using System.Text.Json.Nodes;
using Engine.Web.Tests.Support;

namespace Engine.Web.Tests;

/// <summary>Tenants, agents and skill groups through the REST API; the same contract on SQLite and on PostgreSQL.</summary>
public abstract class AdminApiContract(EngineFactory factory)
{
    [Fact]
    public async Task TN1_the_operator_creates_a_tenant_with_its_admin_and_an_initial_password_shown_once()
    {
        using var op = await ApiClient.SignInAsync(factory, EngineFactory.OperatorEmail, EngineFactory.OperatorPassword);
        using var response = await op.PostAsync("/api/v1/tenants", new { name = "Acme 客服", adminName = "Ann", adminEmail = $"ann-{Guid.NewGuid():N}@acme.test", adminPhone = "+86 10 1234" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal($"/api/v1/tenants/{created["id"]}", response.Headers.Location?.OriginalString);
        Assert.False(string.IsNullOrEmpty((string?)created["initialPassword"]));

        var fetched = await op.GetOkAsync($"/api/v1/tenants/{created["id"]}");
        Assert.Equal("Acme 客服", (string?)fetched["name"]);
        Assert.Null(fetched["initialPassword"]);
        var renamed = await op.OkAsync(HttpMethod.Patch, $"/api/v1/tenants/{created["id"]}", new { name = "Acme" });
        Assert.Equal("Acme", (string?)renamed["name"]);
        Assert.True(DateTimeOffset.Parse((string)renamed["updatedAt"]!, System.Globalization.CultureInfo.InvariantCulture) >= DateTimeOffset.Parse((string)renamed["createdAt"]!, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Tenant_creation_with_bad_fields_names_each_field_and_creates_nothing()
    {
        using var op = await ApiClient.SignInAsync(factory, EngineFactory.OperatorEmail, EngineFactory.OperatorPassword);
        var before = (long)(await op.GetOkAsync("/api/v1/tenants"))["total"]!;
        using var response = await op.PostAsync("/api/v1/tenants", new { name = "", adminName = "Ann", adminEmail = "not-an-email", adminPhone = "call me" });
        var problem = await ApiClient.ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.NotNull(problem["errors"]!["name"]);
        Assert.NotNull(problem["errors"]!["adminEmail"]);
        Assert.NotNull(problem["errors"]!["adminPhone"]);
        Assert.Equal(before, (long)(await op.GetOkAsync("/api/v1/tenants"))["total"]!);
    }

    [Fact]
    public async Task A_tenant_admin_cannot_create_tenants_or_see_another_tenant()
    {
        using var a = await TestTenant.CreateAsync(factory);
        using var b = await TestTenant.CreateAsync(factory);
        await ApiClient.ProblemAsync(await a.Admin.PostAsync("/api/v1/tenants", new { name = "Mine", adminName = "X", adminEmail = "x@x.test" }), HttpStatusCode.Forbidden);
        await ApiClient.ProblemAsync(await a.Admin.GetAsync($"/api/v1/tenants/{b.Id}"), HttpStatusCode.NotFound);
        await ApiClient.ProblemAsync(await a.Admin.GetAsync($"{b.Base}/agents"), HttpStatusCode.NotFound);
        Assert.Equal(a.Id, (string?)(await a.Admin.GetOkAsync($"/api/v1/tenants/{a.Id}"))["id"]);
    }

    [Fact]
    public async Task AG1_an_agent_is_created_with_its_fields_skill_groups_and_an_initial_password()
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        var group = await tenant.AddGroupAsync();
        var created = await tenant.Admin.PostOkAsync($"{tenant.Base}/agents",
            new { name = "李雷", staffNo = "GH-001", email = "LiLei@Example.test", nickname = "雷", phone = "138 0000 0000", role = "agent", skillGroupIds = new[] { group } });
        var id = (string)created["agent"]!["id"]!;
        var agent = await tenant.Admin.GetOkAsync($"{tenant.Base}/agents/{id}");
        Assert.Equal("李雷", (string?)agent["name"]);
        Assert.Equal("GH-001", (string?)agent["staffNo"]);
        Assert.Equal("lilei@example.test", (string?)agent["email"]);
        Assert.Equal("agent", (string?)agent["role"]);
        Assert.Equal(group, (string?)agent["skillGroupIds"]![0]);
        // The initial password signs in, and must be changed first (TN-3).
        using var session = await ApiClient.SignInAsync(factory, "lilei@example.test", (string)created["initialPassword"]!);
        Assert.True((bool)(await session.GetOkAsync("/api/v1/me"))["mustChangePassword"]!);
    }

    [Fact]
    public async Task AG1_email_and_staff_number_are_unique_and_a_duplicate_is_a_409_naming_the_field()
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        var (_, email, _, _) = await tenant.AddAgentAsync();
        var dupEmail = await tenant.Admin.PostAsync($"{tenant.Base}/agents", new { name = "Copy", staffNo = "other-1", email, role = "agent" });
        await ApiClient.FieldErrorAsync(dupEmail, "email", HttpStatusCode.Conflict);
        await tenant.Admin.PostOkAsync($"{tenant.Base}/agents", new { name = "One", staffNo = "same-no", email = $"{Guid.NewGuid():N}@a.test", role = "agent" });
        var dupStaff = await tenant.Admin.PostAsync($"{tenant.Base}/agents", new { name = "Two", staffNo = "same-no", email = $"{Guid.NewGuid():N}@a.test", role = "agent" });
        await ApiClient.FieldErrorAsync(dupStaff, "staffNo", HttpStatusCode.Conflict);
    }

    [Theory]
    [InlineData("staffNo", "X-9")]
    [InlineData("email", "new@x.test")]
    [InlineData("role", "admin")]
    public async Task AG3_changing_staff_number_email_or_role_is_a_400_naming_the_field_and_changes_nothing(string field, string value)
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        var (id, _, _, _) = await tenant.AddAgentAsync();
        var before = await tenant.Admin.GetOkAsync($"{tenant.Base}/agents/{id}");
        var body = new JsonObject { ["name"] = "Renamed", [field] = value };
        await ApiClient.FieldErrorAsync(await tenant.Admin.SendAsync(HttpMethod.Patch, $"{tenant.Base}/agents/{id}", body.ToJsonString()), field);
        var after = await tenant.Admin.GetOkAsync($"{tenant.Base}/agents/{id}");
        Assert.Equal(before.ToJsonString(), after.ToJsonString());
    }

    [Fact]
    public async Task AG3_name_nickname_phone_and_skill_groups_can_change()
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        var first = await tenant.AddGroupAsync();
        var second = await tenant.AddGroupAsync();
        var (id, _, _, _) = await tenant.AddAgentAsync([first]);
        var changed = await tenant.Admin.OkAsync(HttpMethod.Patch, $"{tenant.Base}/agents/{id}", new { name = "New name", nickname = "Nick", phone = "12345", skillGroupIds = new[] { second } });
        Assert.Equal("New name", (string?)changed["name"]);
        Assert.Equal("Nick", (string?)changed["nickname"]);
        Assert.Equal("12345", (string?)changed["phone"]);
        Assert.Equal([second], changed["skillGroupIds"]!.AsArray().Select(g => (string)g!));
        var members = await tenant.Admin.GetOkAsync($"{tenant.Base}/skill-groups/{first}/members");
        Assert.Equal(0, (int)members["total"]!);
    }

    [Fact]
    public async Task AG3_the_list_filters_by_email_name_phone_and_skill_group_with_paging()
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        var group = await tenant.AddGroupAsync();
        await tenant.Admin.PostOkAsync($"{tenant.Base}/agents", new { name = "Zhang_San", staffNo = "f1", email = "zs@f.test", phone = "111", role = "agent", skillGroupIds = new[] { group } });
        await tenant.Admin.PostOkAsync($"{tenant.Base}/agents", new { name = "Li Si", staffNo = "f2", email = "ls@f.test", phone = "222", role = "agent" });
        await tenant.Admin.PostOkAsync($"{tenant.Base}/agents", new { name = "Zhang Wu", staffNo = "f3", email = "zw@f.test", phone = "333", role = "agent", skillGroupIds = new[] { group } });

        async Task<string[]> Names(string query) => [.. (await tenant.Admin.GetOkAsync($"{tenant.Base}/agents?{query}"))["items"]!.AsArray().Select(a => (string)a!["name"]!).Order()];
        Assert.Equal(["Zhang Wu", "Zhang_San"], await Names("name=zhang"));
        Assert.Equal(["Zhang_San"], await Names("name=g_s"));
        Assert.Equal(["Li Si"], await Names("email=LS@f.test"));
        Assert.Equal(["Zhang Wu"], await Names("phone=333"));
        Assert.Equal(["Zhang Wu", "Zhang_San"], await Names($"skillGroupId={group}"));
        var page = await tenant.Admin.GetOkAsync($"{tenant.Base}/agents?limit=2&offset=1");
        Assert.Equal(4, (int)page["total"]!); // the three agents and the tenant's admin
        Assert.Equal(2, page["items"]!.AsArray().Count);
        await ApiClient.FieldErrorAsync(await tenant.Admin.GetAsync($"{tenant.Base}/agents?limit=0"), "limit");
    }

    [Fact]
    public async Task AG3_a_deleted_agent_cannot_sign_in_and_their_token_stops_working()
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        var group = await tenant.AddGroupAsync();
        var (id, email, initial, token) = await tenant.AddAgentAsync([group]);
        using var bearer = ApiClient.Bearer(factory, token);
        await bearer.GetOkAsync($"{tenant.Base}/me/presence");
        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Admin.SendAsync(HttpMethod.Delete, $"{tenant.Base}/agents/{id}")).StatusCode);

        await ApiClient.ProblemAsync(await bearer.GetAsync($"{tenant.Base}/me/presence"), HttpStatusCode.Unauthorized);
        using var anonymous = ApiClient.Anonymous(factory);
        await ApiClient.ProblemAsync(await anonymous.PostAsync("/api/v1/sign-in", new { email, password = initial }), HttpStatusCode.Unauthorized);
        await ApiClient.ProblemAsync(await tenant.Admin.GetAsync($"{tenant.Base}/agents/{id}"), HttpStatusCode.NotFound);
        Assert.Equal(0, (int)(await tenant.Admin.GetOkAsync($"{tenant.Base}/skill-groups/{group}/members"))["total"]!);
    }

    [Fact]
    public async Task AG3_a_password_reset_also_revokes_the_users_api_tokens()
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        var (id, _, _, token) = await tenant.AddAgentAsync();
        using var bearer = ApiClient.Bearer(factory, token);
        await bearer.GetOkAsync($"{tenant.Base}/me/presence");
        await tenant.Admin.PostOkAsync($"{tenant.Base}/agents/{id}/reset-password");
        await ApiClient.ProblemAsync(await bearer.GetAsync($"{tenant.Base}/me/presence"), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task TN2_the_last_admin_cannot_be_deleted_through_the_agents_routes_either_even_in_parallel()
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        await ApiClient.ProblemAsync(await tenant.Admin.SendAsync(HttpMethod.Delete, $"{tenant.Base}/agents/{tenant.AdminId}"), HttpStatusCode.Conflict);
        var second = (string)(await tenant.Admin.PostOkAsync($"{tenant.Base}/admins", new { name = "Second", email = $"s-{Guid.NewGuid():N}@t.test" }))["admin"]!["id"]!;
        var secondToken = (string)(await tenant.Admin.PostOkAsync($"{tenant.Base}/api-tokens", new { name = "second", userId = second }))["token"]!;
        var both = await Task.WhenAll(
            tenant.Admin.SendAsync(HttpMethod.Delete, $"{tenant.Base}/agents/{second}"),
            tenant.Admin.SendAsync(HttpMethod.Delete, $"{tenant.Base}/admins/{tenant.AdminId}"));
        Assert.Equal([HttpStatusCode.NoContent, HttpStatusCode.Conflict], both.Select(r => r.StatusCode).OrderBy(s => s));

        // The refused delete touched nothing: the admin who stays is still an agent routing can use.
        using var survivor = ApiClient.Bearer(factory, both[0].StatusCode == HttpStatusCode.NoContent ? tenant.AdminToken : secondToken);
        Assert.Equal("online", (string)(await survivor.OkAsync(HttpMethod.Put, $"{tenant.Base}/me/presence", new { presence = "online" }))["presence"]!);
    }

    [Fact]
    public async Task Id_lists_with_empty_ids_or_too_many_are_refused_and_leave_nothing_behind()
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        await ApiClient.FieldErrorAsync(await tenant.Admin.PostAsync($"{tenant.Base}/skill-groups", """{"name":"g","mode":"online","receptionCap":2,"overflowGroupIds":[null]}"""), "overflowGroupIds");
        Assert.Equal(0, (int)(await tenant.Admin.GetOkAsync($"{tenant.Base}/skill-groups"))["total"]!);
        var many = Enumerable.Range(0, 101).Select(i => $"g{i}").ToArray();
        await ApiClient.FieldErrorAsync(await tenant.Admin.PostAsync($"{tenant.Base}/agents", new { name = "M", staffNo = "M1", email = "m@m.test", skillGroupIds = many }), "skillGroupIds");
    }

    [Fact]
    public async Task AG3_a_password_reset_makes_the_old_password_and_open_sessions_stop_working()
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        var (id, email, initial, _) = await tenant.AddAgentAsync();
        using var session = await ApiClient.SignInAsync(factory, email, initial, "Agent#2026pw");
        await session.GetOkAsync("/api/v1/me");
        var reset = await tenant.Admin.PostOkAsync($"{tenant.Base}/agents/{id}/reset-password");

        await ApiClient.ProblemAsync(await session.GetAsync("/api/v1/me"), HttpStatusCode.Unauthorized);
        using var anonymous = ApiClient.Anonymous(factory);
        await ApiClient.ProblemAsync(await anonymous.PostAsync("/api/v1/sign-in", new { email, password = "Agent#2026pw" }), HttpStatusCode.Unauthorized);
        using var again = await ApiClient.SignInAsync(factory, email, (string)reset["initialPassword"]!);
        Assert.True((bool)(await again.GetOkAsync("/api/v1/me"))["mustChangePassword"]!);
    }

    [Fact]
    public async Task Extra_fields_such_as_tenantId_role_or_id_are_rejected_and_change_nothing()
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        var (id, _, _, _) = await tenant.AddAgentAsync();
        var response = await tenant.Admin.SendAsync(HttpMethod.Patch, $"{tenant.Base}/agents/{id}", """{"name":"Hijack","tenantId":"other"}""");
        Assert.Equal("is not a field of this request", await ApiClient.FieldErrorAsync(response, "tenantId"));
        response = await tenant.Admin.PostAsync($"{tenant.Base}/skill-groups", """{"id":"chosen","name":"G","mode":"online","receptionCap":1}""");
        await ApiClient.FieldErrorAsync(response, "id");
        Assert.NotEqual("Hijack", (string?)(await tenant.Admin.GetOkAsync($"{tenant.Base}/agents/{id}"))["name"]);
        Assert.Equal(0, (int)(await tenant.Admin.GetOkAsync($"{tenant.Base}/skill-groups"))["total"]!);
    }

    [Fact]
    public async Task An_agent_calling_admin_routes_gets_403()
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        var (_, _, _, token) = await tenant.AddAgentAsync();
        using var agent = ApiClient.Bearer(factory, token);
        await ApiClient.ProblemAsync(await agent.GetAsync($"{tenant.Base}/agents"), HttpStatusCode.Forbidden);
        await ApiClient.ProblemAsync(await agent.PostAsync($"{tenant.Base}/skill-groups", new { name = "G", mode = "online", receptionCap = 1 }), HttpStatusCode.Forbidden);
        await ApiClient.ProblemAsync(await agent.PostAsync($"{tenant.Base}/api-tokens", new { name = "mine" }), HttpStatusCode.Forbidden);
        await ApiClient.ProblemAsync(await agent.PostAsync($"{tenant.Base}/conversations", new { skillGroupId = "g", visitorId = "v", mode = "online" }), HttpStatusCode.Forbidden);
    }
}

public sealed class AdminApiOnSqliteTests(EngineFactory factory) : AdminApiContract(factory), IClassFixture<EngineFactory>;

public sealed class AdminApiOnPostgresTests(PostgresEngineFactory factory) : AdminApiContract(factory), IClassFixture<PostgresEngineFactory>;
