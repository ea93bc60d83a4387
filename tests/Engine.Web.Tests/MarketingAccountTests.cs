using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Engine.Grains.Routing;
using Engine.Persistence.Admin;
using Engine.Web.Api;
using Engine.Web.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Engine.Web.Tests;

/// <summary>MK-1..MK-3, MK-5, MK-6 through the REST API: accounts, their limits, staff and departments; on SQLite and PostgreSQL.</summary>
public abstract class MarketingAccountContract(EngineFactory factory)
{
    private static string Accounts(TestTenant tenant) => $"{tenant.Base}/marketing-accounts";

    private static async Task<string> CreateAsync(TestTenant tenant, object body) => (string)(await tenant.Admin.PostOkAsync(Accounts(tenant), body))["id"]!;

    [Fact]
    public async Task MK5_MK6_A_new_account_has_the_default_prompts_and_rule_and_is_listed_edited_and_deleted()
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        var created = await tenant.Admin.PostOkAsync(Accounts(tenant), new { name = "旗舰店客服", subOrganization = "华东" });
        var id = (string)created["id"]!;
        // MK-5 defaults: welcome on with a menu, queue off, no-agent on, end off.
        var prompts = created["prompts"]!;
        Assert.True((bool)prompts["welcome"]!["enabled"]!);
        Assert.NotEmpty(prompts["welcome"]!["menu"]!.AsArray());
        Assert.False((bool)prompts["queue"]!["enabled"]!);
        Assert.Contains("${WaitNo}", (string)prompts["queue"]!["text"]!, StringComparison.Ordinal);
        Assert.True((bool)prompts["noAgent"]!["enabled"]!);
        Assert.False((bool)prompts["noAgent"]!["silentWhileStaffOnline"]!);
        Assert.False((bool)prompts["end"]!["enabled"]!);
        Assert.Equal(("roundRobin", 0), ((string)created["rule"]!["allocation"]!, (int)created["rule"]!["autoEndSeconds"]!));
        Assert.Equal(("Asia/Shanghai", "outsideHours", 7), ((string)created["timeZone"]!, (string)created["robot"]!, created["hours"]!.AsArray().Count));

        await CreateAsync(tenant, new { name = "直播间客服", subOrganization = "华南" });
        await CreateAsync(tenant, new { name = "旗舰店售后" });
        // MK-6: by keyword (part of the name) and by sub-organisation.
        Assert.Equal(["旗舰店客服", "旗舰店售后"], Names(await tenant.Admin.GetOkAsync($"{Accounts(tenant)}?keyword=旗舰")));
        Assert.Equal(["直播间客服"], Names(await tenant.Admin.GetOkAsync($"{Accounts(tenant)}?subOrganization=华南")));
        Assert.Equal(["旗舰店客服"], Names(await tenant.Admin.GetOkAsync($"{Accounts(tenant)}?keyword=客服&subOrganization=华东")));
        Assert.Empty(Names(await tenant.Admin.GetOkAsync($"{Accounts(tenant)}?keyword=%25")));

        // An edit changes the fields given and keeps the rest.
        var edited = await tenant.Admin.OkAsync(HttpMethod.Patch, $"{Accounts(tenant)}/{id}", new
        {
            name = "旗舰店", rule = new { allocation = "idle", cap = 50, autoEndSeconds = 48 * 3600 },
            prompts = new { queue = new { enabled = true }, welcome = new { menu = new[] { "课程咨询", "退款" } } },
        });
        Assert.Equal(("旗舰店", "华东", "idle", 50, 172800), ((string)edited["name"]!, (string)edited["subOrganization"]!, (string)edited["rule"]!["allocation"]!, (int)edited["rule"]!["cap"]!, (int)edited["rule"]!["autoEndSeconds"]!));
        Assert.True((bool)edited["rule"]!["lastAgentPriority"]!);
        Assert.True((bool)edited["prompts"]!["queue"]!["enabled"]!);
        Assert.Equal((string)prompts["welcome"]!["text"]!, (string)edited["prompts"]!["welcome"]!["text"]!);
        Assert.Equal(["课程咨询", "退款"], edited["prompts"]!["welcome"]!["menu"]!.AsArray().Select(m => (string)m!));
        Assert.Equal("旗舰店", (string)(await tenant.Admin.GetOkAsync($"{Accounts(tenant)}/{id}"))["name"]!);

        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Admin.SendAsync(HttpMethod.Delete, $"{Accounts(tenant)}/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await tenant.Admin.GetAsync($"{Accounts(tenant)}/{id}")).StatusCode);
        Assert.Equal(2, (await tenant.Admin.GetOkAsync(Accounts(tenant))).AsArray().Count);
    }

    [Fact]
    public async Task MK1_A_name_is_at_most_16_characters_counted_as_the_reader_sees_them()
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        // 16 text elements: 15 Chinese characters and a family emoji made of 7 code points.
        var sixteen = new string('客', 15) + "👨‍👩‍👧";
        Assert.Equal(sixteen, (string)(await tenant.Admin.PostOkAsync(Accounts(tenant), new { name = sixteen }))["name"]!);
        Assert.Contains("at most 16", await ApiClient.FieldErrorAsync(await tenant.Admin.PostAsync(Accounts(tenant), new { name = new string('客', 17) }), "name"), StringComparison.Ordinal);
        await ApiClient.FieldErrorAsync(await tenant.Admin.PostAsync(Accounts(tenant), new { name = "  " }), "name");
        var id = await CreateAsync(tenant, new { name = "店铺" });
        await ApiClient.FieldErrorAsync(await tenant.Admin.SendAsync(HttpMethod.Patch, $"{Accounts(tenant)}/{id}", new { name = new string('a', 17) }), "name");
        Assert.Equal("店铺", (string)(await tenant.Admin.GetOkAsync($"{Accounts(tenant)}/{id}"))["name"]!);
    }

    [Fact]
    public async Task MK1_A_tenant_has_at_most_10_accounts_even_when_created_at_once()
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        await CreateAsync(tenant, new { name = "first" });
        var answers = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => tenant.Admin.PostAsync(Accounts(tenant), new { name = $"account {i}" })));
        Assert.Equal(9, answers.Count(a => a.StatusCode == HttpStatusCode.Created));
        foreach (var refused in answers.Where(a => a.StatusCode != HttpStatusCode.Created))
            Assert.Contains("at most 10", await ApiClient.FieldErrorAsync(refused, "name"), StringComparison.Ordinal);
        Assert.Equal(10, (await tenant.Admin.GetOkAsync(Accounts(tenant))).AsArray().Count);
    }

    [Fact]
    public async Task MK1_The_avatar_is_a_jpg_or_png_by_content_of_at_most_2_MB()
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        var id = await CreateAsync(tenant, new { name = "头像" });
        using var http = factory.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tenant.AdminToken);
        var avatar = $"{Accounts(tenant)}/{id}/avatar";
        static MultipartFormDataContent Form(byte[] bytes) => new() { { new ByteArrayContent(bytes), "file", "avatar.png" } };

        var png = await http.PutAsync(avatar, Form(ImageTests.Png));
        Assert.Equal(HttpStatusCode.OK, png.StatusCode);
        var url = (string)JsonNode.Parse(await png.Content.ReadAsStringAsync())!["avatarUrl"]!;
        Assert.Equal(ImageTests.Png, await http.GetByteArrayAsync(url));
        var jpeg = new byte[MediaApi.MaxBytes];
        new byte[] { 0xFF, 0xD8, 0xFF, 0xE0 }.CopyTo(jpeg, 0);
        Assert.Equal(HttpStatusCode.OK, (await http.PutAsync(avatar, Form(jpeg))).StatusCode);

        var gif = await http.PutAsync(avatar, Form([0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 1, 0]));
        Assert.Contains("jpg, jpeg or png", await ApiClient.FieldErrorAsync(gif, "file"), StringComparison.Ordinal);
        var large = new byte[MediaApi.MaxBytes + 1];
        ImageTests.Png.CopyTo(large, 0);
        Assert.Contains("at most 2 MB", await ApiClient.FieldErrorAsync(await http.PutAsync(avatar, Form(large)), "file"), StringComparison.Ordinal);
        Assert.NotEqual(url, (string)(await tenant.Admin.GetOkAsync($"{Accounts(tenant)}/{id}"))["avatarUrl"]!);
    }

    [Fact]
    public async Task MK6_The_test_link_opens_the_accounts_chat_and_comes_as_a_QR_code_png_to_download()
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        var id = await CreateAsync(tenant, new { name = "测试链接" });
        var link = await tenant.Admin.GetOkAsync($"{Accounts(tenant)}/{id}/test-link");
        var url = new Uri((string)link["url"]!);
        Assert.StartsWith("/chat/mk", url.AbsolutePath, StringComparison.Ordinal);
        Assert.Equal((string)(await tenant.Admin.GetOkAsync($"{Accounts(tenant)}/{id}"))["testLink"]!, url.ToString());

        using var qr = await tenant.Admin.GetAsync((string)link["qrCodeUrl"]!);
        Assert.Equal(HttpStatusCode.OK, qr.StatusCode);
        Assert.Equal("image/png", qr.Content.Headers.ContentType!.MediaType);
        Assert.Equal("attachment", qr.Content.Headers.ContentDisposition!.DispositionType);
        var bytes = await qr.Content.ReadAsByteArrayAsync();
        Assert.Equal("image/png", ImageFormats.Detect(bytes));
        // A link of this length needs at least a version-4 code (33 modules) plus its quiet zone, 8 pixels a module.
        var width = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16, 4));
        Assert.True(width >= (33 + 8) * 8, $"a QR code {width} pixels wide");
        Assert.Equal(HttpStatusCode.NotFound, (await tenant.Admin.GetAsync($"{Accounts(tenant)}/nope/test-link/qr.png")).StatusCode);
    }

    [Fact]
    public async Task MK3_The_rule_takes_a_cap_of_at_most_50_an_auto_end_of_at_most_48_hours_and_hours_over_midnight()
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        await ApiClient.FieldErrorAsync(await tenant.Admin.PostAsync(Accounts(tenant), new { name = "x", rule = new { cap = 51 } }), "rule.cap");
        await ApiClient.FieldErrorAsync(await tenant.Admin.PostAsync(Accounts(tenant), new { name = "x", rule = new { cap = 0 } }), "rule.cap");
        await ApiClient.FieldErrorAsync(await tenant.Admin.PostAsync(Accounts(tenant), new { name = "x", rule = new { autoEndSeconds = 48 * 3600 + 1 } }), "rule.autoEndSeconds");
        await ApiClient.FieldErrorAsync(await tenant.Admin.PostAsync(Accounts(tenant), new { name = "x", rule = new { allocation = "random" } }), "rule.allocation");
        await ApiClient.FieldErrorAsync(await tenant.Admin.PostAsync(Accounts(tenant), new { name = "x", robot = "never" }), "robot");
        await ApiClient.FieldErrorAsync(await tenant.Admin.PostAsync(Accounts(tenant), new { name = "x", hours = new[] { new { day = "friday", from = "9:00", to = "18:00" } } }), "hours[0].from");
        await ApiClient.FieldErrorAsync(await tenant.Admin.PostAsync(Accounts(tenant), new { name = "x", hours = new[] { new { day = "funday", from = "09:00", to = "18:00" } } }), "hours[0].day");
        var overlap = await ApiClient.FieldErrorAsync(await tenant.Admin.PostAsync(Accounts(tenant), new
        {
            name = "x", hours = new[] { new { day = "monday", from = "09:00", to = "12:00" }, new { day = "monday", from = "11:00", to = "14:00" } },
        }), "hours");
        Assert.Contains("overlapping", overlap, StringComparison.Ordinal);
        await ApiClient.FieldErrorAsync(await tenant.Admin.PostAsync(Accounts(tenant), new { name = "x", prompts = new { welcome = new { menu = new[] { "1", "退款" } } } }), "prompts.welcome.menu");
        Assert.Empty((await tenant.Admin.GetOkAsync(Accounts(tenant))).AsArray());

        var created = await tenant.Admin.PostOkAsync(Accounts(tenant), new
        {
            name = "夜班", rule = new { cap = 50, autoEndSeconds = 48 * 3600 },
            hours = new[] { new { day = "friday", from = "22:00", to = "02:00" }, new { day = "monday", from = "09:00", to = "24:00" } },
        });
        Assert.Equal(50, (int)created["rule"]!["cap"]!);
        Assert.Equal(["monday 09:00-24:00", "friday 22:00-02:00"], created["hours"]!.AsArray().Select(h => $"{h!["day"]} {h["from"]}-{h["to"]}"));
    }

    [Fact]
    public async Task MK2_Staff_are_agents_and_whole_departments_and_an_agent_joining_a_department_joins_every_account_naming_it()
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        var (a, _, _, _) = await tenant.AddAgentAsync();
        var (b, _, _, _) = await tenant.AddAgentAsync();
        var (c, _, _, _) = await tenant.AddAgentAsync();
        var sales = (string)(await tenant.Admin.PostOkAsync($"{tenant.Base}/departments", new { name = "销售部" }))["id"]!;
        var east = (string)(await tenant.Admin.PostOkAsync($"{tenant.Base}/departments", new { name = "华东组", parentId = sales }))["id"]!;
        await tenant.Admin.PostOkAsync($"{tenant.Base}/departments/{east}/members", new { agentIds = new[] { b } });
        var shop = await CreateAsync(tenant, new { name = "店铺" });
        var live = await CreateAsync(tenant, new { name = "直播" });

        var staff = await tenant.Admin.OkAsync(HttpMethod.Put, $"{Accounts(tenant)}/{shop}/staff", new { agentIds = new[] { a }, departmentIds = new[] { sales } });
        Assert.Equal(new[] { a, b }.Order(), People(staff));
        await tenant.Admin.OkAsync(HttpMethod.Put, $"{Accounts(tenant)}/{live}/staff", new { departmentIds = new[] { east } });
        Assert.Equal(new[] { a, b }.Order(), await GroupMembersAsync(tenant, shop));

        // c joins the sub-department: both accounts take c at once; leaving takes c out of both.
        await tenant.Admin.PostOkAsync($"{tenant.Base}/departments/{east}/members", new { agentIds = new[] { c } });
        Assert.Equal(new[] { a, b, c }.Order(), await GroupMembersAsync(tenant, shop));
        Assert.Equal(new[] { b, c }.Order(), await GroupMembersAsync(tenant, live));
        Assert.Equal(new[] { a, b, c }.Order(), People(await tenant.Admin.GetOkAsync($"{Accounts(tenant)}/{shop}/staff")));
        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Admin.SendAsync(HttpMethod.Delete, $"{tenant.Base}/departments/{east}/members/{c}")).StatusCode);
        Assert.Equal(new[] { a, b }.Order(), await GroupMembersAsync(tenant, shop));
        Assert.Equal(new[] { b }, await GroupMembersAsync(tenant, live));

        // A department with sub-departments is not deleted; a leaf goes, and its members leave what it brought them to.
        await ApiClient.ProblemAsync(await tenant.Admin.SendAsync(HttpMethod.Delete, $"{tenant.Base}/departments/{sales}"), HttpStatusCode.Conflict);
        await ApiClient.FieldErrorAsync(await tenant.Admin.SendAsync(HttpMethod.Patch, $"{tenant.Base}/departments/{sales}", new { parentId = east }), "parentId");
        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Admin.SendAsync(HttpMethod.Delete, $"{tenant.Base}/departments/{east}")).StatusCode);
        Assert.Equal(new[] { a }, await GroupMembersAsync(tenant, shop));
        Assert.Empty(await GroupMembersAsync(tenant, live));
        Assert.Equal(new[] { sales }, (await tenant.Admin.GetOkAsync($"{Accounts(tenant)}/{shop}/staff"))["departmentIds"]!.AsArray().Select(d => (string)d!));

        await ApiClient.FieldErrorAsync(await tenant.Admin.SendAsync(HttpMethod.Put, $"{Accounts(tenant)}/{shop}/staff", new { agentIds = new[] { "nobody" } }), "agentIds");
        await ApiClient.FieldErrorAsync(await tenant.Admin.SendAsync(HttpMethod.Put, $"{Accounts(tenant)}/{shop}/staff", new { departmentIds = new[] { east } }), "departmentIds");
        Assert.Equal(new[] { a }, await GroupMembersAsync(tenant, shop));
    }

    [Fact]
    public async Task MK2_An_accounts_staff_is_at_most_200_people_however_they_are_named()
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        var agents = await InsertAgentsAsync(tenant.Id, 201);
        var team = (string)(await tenant.Admin.PostOkAsync($"{tenant.Base}/departments", new { name = "大组" }))["id"]!;
        await tenant.Admin.PostOkAsync($"{tenant.Base}/departments/{team}/members", new { agentIds = agents[..150] });
        var id = await CreateAsync(tenant, new { name = "大店" });

        var two01 = await tenant.Admin.SendAsync(HttpMethod.Put, $"{Accounts(tenant)}/{id}/staff", new { agentIds = agents[150..], departmentIds = new[] { team } });
        Assert.Contains("201 people", await ApiClient.FieldErrorAsync(two01, "agentIds"), StringComparison.Ordinal);
        Assert.Empty(People(await tenant.Admin.GetOkAsync($"{Accounts(tenant)}/{id}/staff")));

        Assert.Equal(200, People(await tenant.Admin.OkAsync(HttpMethod.Put, $"{Accounts(tenant)}/{id}/staff", new { agentIds = agents[150..200], departmentIds = new[] { team } })).Count());
        Assert.Equal(200, (await GroupMembersAsync(tenant, id)).Count());
        // The 201st by way of the department is refused too, and the department stays as it was.
        var joining = await tenant.Admin.PostAsync($"{tenant.Base}/departments/{team}/members", new { agentIds = new[] { agents[200] } });
        Assert.Contains("at most 200", await ApiClient.FieldErrorAsync(joining, "agentIds"), StringComparison.Ordinal);
        Assert.Equal(150, (await tenant.Admin.GetOkAsync($"{tenant.Base}/departments/{team}/members")).AsArray().Count);
    }

    /// <summary>Agents written straight to the store (hashing 200 initial passwords through the API would take a while); they are never signed in.</summary>
    private async Task<string[]> InsertAgentsAsync(string tenantId, int count)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var rows = Enumerable.Range(0, count).Select(i => (new UserRow
        {
            Id = Ids.New(), TenantId = tenantId, Email = $"{Guid.NewGuid():N}@bulk.test", Name = $"坐席{i}", StaffNo = $"b{i:000}-{Guid.NewGuid():N}"[..20],
            Role = "agent", PasswordHash = "never-signs-in", MustChangePassword = 1, CreatedAt = now, UpdatedAt = now,
        }, (IReadOnlyList<string>)[])).ToList();
        await factory.Services.GetRequiredService<UserStore>().InsertAllAsync(rows, [], CancellationToken.None);
        return [.. rows.Select(r => r.Item1.Id)];
    }

    private async Task<IEnumerable<string>> GroupMembersAsync(TestTenant tenant, string accountId)
        => (await factory.Services.GetRequiredService<IGrainFactory>().SkillGroup(tenant.Id, accountId).GetSnapshot()).Members.Order();

    private static IEnumerable<string> People(JsonNode staff) => staff["people"]!.AsArray().Select(p => (string)p!).Order();

    private static IEnumerable<string> Names(JsonNode list) => list.AsArray().Select(a => (string)a!["name"]!);
}

public sealed class MarketingAccountOnSqliteTests(MarketingAccountOnSqliteTests.Server factory) : MarketingAccountContract(factory), IClassFixture<MarketingAccountOnSqliteTests.Server>
{
    public sealed class Server : EngineFactory;
}

public sealed class MarketingAccountOnPostgresTests(PostgresEngineFactory factory) : MarketingAccountContract(factory), IClassFixture<PostgresEngineFactory>;
