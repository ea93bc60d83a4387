using System.Text.Json;
using Engine.Driver;
using Engine.Flows;
using Engine.Web.Admin;
using Engine.Web.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Engine.Web.Tests;

/// <summary>
/// Two real server processes, each a silo and a web front, in one cluster on PostgreSQL. The agent's workbench reaches
/// the cluster through a balancer that lands on the first server; the visitor's chat is on the second. Killing the
/// agent's server with SIGKILL leaves the workbench reconnected to the other, and the chat goes on both ways.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class TwoSiloPageTests(Browser browser)
{
    private const string AgentPassword = "Agent#2026pw";
    private static readonly TimeSpan Start = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Killing_the_agents_silo_leaves_the_workbench_reconnected_to_the_other_and_the_chat_goes_on()
    {
        var postgres = Environment.GetEnvironmentVariable("ConnectionStrings__Postgres")
            ?? throw new InvalidOperationException("ConnectionStrings__Postgres is not set: run the tests with ./test.sh.");
        var workDir = Directory.CreateTempSubdirectory("engine-two-silo-page-").FullName;
        await using var store = await CrashStore.CreateAsync("postgres", workDir, postgres, CancellationToken.None);
        var settings = new Dictionary<string, string>(ContactCenter.ServerSettings);
        foreach (var (name, value) in store.Settings) settings[name] = value;
        settings["Engine__Cluster"] = "postgres";
        settings["Engine__Orleans__ClusterId"] = "page-" + Guid.NewGuid().ToString("N")[..8];
        await using var first = await EngineServer.StartAsync(settings, Path.Combine(workDir, "first.log"), Start, CancellationToken.None);
        await using var second = await EngineServer.StartAsync(settings, Path.Combine(workDir, "second.log"), Start, CancellationToken.None);
        var (key, email, staffNo) = await ProvisionAsync(first.Address);
        await using var balancer = new FrontProxy([first.Address, second.Address]);

        var errors = new List<string>();
        var agent = await browser.PageAsync(errors);
        await agent.GotoAsync(new Uri(balancer.Address, "/workbench").ToString());
        await agent.FillAsync("#signin input[name=email]", email);
        await agent.FillAsync("#signin input[name=password]", AgentPassword);
        await agent.ClickAsync("#signin button[type=submit]");
        await Expect(agent.Locator("#connection")).ToHaveTextAsync("已连接 connected");
        await agent.ClickAsync("#go-online");
        await Expect(agent.Locator("#badge")).ToHaveTextAsync("空闲中");

        var visitor = await browser.PageAsync(errors);
        await visitor.GotoAsync(new Uri(second.Address, $"/chat/{key}").ToString());
        await Expect(visitor.Locator("#state")).ToContainTextAsync("Online");
        foreach (var text in new[] { "你好", "1" })
        {
            await visitor.FillAsync("#text", text);
            await visitor.PressAsync("#text", "Enter");
        }
        await agent.Locator(".offer button.answer").ClickAsync();
        await Expect(visitor.Locator("#state")).ToHaveTextAsync($"客服 小王 ({staffNo}) 为您服务");
        var chat = agent.Locator("article.chat");
        await Say(visitor, "在吗");
        await Expect(chat.Locator("li.visitor")).ToHaveTextAsync(["在吗"]);

        // The agent's server dies; the workbench drops, and reconnects through the balancer to the other server.
        await first.KillAsync();
        await Expect(agent.Locator("#connection")).Not.ToHaveTextAsync("已连接 connected", new() { Timeout = 15_000 });
        await Expect(agent.Locator("#connection")).ToHaveTextAsync("已连接 connected", new() { Timeout = 60_000 });
        await Expect(chat).ToHaveCountAsync(1);

        // The chat goes on both ways, with nothing lost or shown twice. While the cluster moves the dead server's grains
        // (a few seconds), a send may fail: the chat says so and keeps the text, and the visitor sends it again.
        await visitor.FillAsync("#text", "还在吗");
        for (var attempt = 1; ; attempt++)
        {
            var lines = await visitor.Locator("li.visitor, li.system").CountAsync();
            await visitor.PressAsync("#text", "Enter");
            await Expect(visitor.Locator("li.visitor, li.system")).ToHaveCountAsync(lines + 1, new() { Timeout = 60_000 });
            if (await visitor.Locator("li.visitor, li.system").Last.GetAttributeAsync("class") == "visitor") break;
            Assert.True(attempt < 5, "the chat could not send for five tries");
        }
        await Expect(chat.Locator("li.visitor")).ToHaveTextAsync(["在吗", "还在吗"], new() { Timeout = 30_000 });
        await chat.Locator("textarea").FillAsync("一直都在");
        await chat.Locator("button.send").ClickAsync();
        await Expect(visitor.Locator("li.agent")).ToHaveTextAsync(["一直都在"], new() { Timeout = 30_000 });
        await Expect(agent.Locator("#badge")).ToHaveTextAsync("空闲中");
        // What the browser logs of the dead server's connection, and of reconnects the cluster refused while it failed over.
        Browser.NoUnexpected(errors, "WebSocket connection to", "Connection disconnected with error", "Server returned an error on close");
        Directory.Delete(workDir, recursive: true);
    }

    private static async Task Say(IPage visitor, string text)
    {
        await visitor.FillAsync("#text", text);
        await visitor.PressAsync("#text", "Enter");
    }

    /// <summary>Through the first server: a tenant with the web chat sample on a website channel and an agent (小王) with a password of their own.</summary>
    private static async Task<(string Key, string Email, string StaffNo)> ProvisionAsync(Uri server)
    {
        var ct = CancellationToken.None;
        using var op = new EngineClient(server);
        await op.SignInAsync(ContactCenter.OperatorEmail, ContactCenter.OperatorPassword, null, ct);
        var adminEmail = $"admin-{Guid.NewGuid():N}@page.test";
        var tenant = await op.PostAsync("api/v1/tenants", null, new { name = "Pages", adminName = "Admin", adminEmail }, ct);
        var tenantId = (string)tenant!["id"]!;
        using var admin = new EngineClient(server);
        await admin.SignInAsync(adminEmail, (string)tenant["initialPassword"]!, "Admin#2026pw", ct);
        var token = (string)(await admin.PostAsync($"api/v1/tenants/{tenantId}/api-tokens", null, new { name = "test" }, ct))!["token"]!;
        using var api = new EngineClient(server);
        var products = (string)(await api.PostAsync($"api/v1/tenants/{tenantId}/skill-groups", token, new { name = "产品咨询", mode = "online", receptionCap = 2 }, ct))!["id"]!;
        var business = (string)(await api.PostAsync($"api/v1/tenants/{tenantId}/skill-groups", token, new { name = "商务合作", mode = "online", receptionCap = 2 }, ct))!["id"]!;
        var email = $"agent-{Guid.NewGuid():N}@page.test";
        var created = await api.PostAsync($"api/v1/tenants/{tenantId}/agents", token, new { name = "Agent", nickname = "小王", staffNo = "P001", email, role = "agent", skillGroupIds = new[] { products } }, ct);
        using (var agent = new EngineClient(server)) await agent.SignInAsync(email, (string)created!["initialPassword"]!, AgentPassword, ct);
        var online = JsonSerializer.SerializeToNode(FlowSamples.Load(FlowSamples.Online, new Dictionary<string, string> { ["产品咨询"] = products, ["商务合作"] = business }), FlowJson.Options)!.AsObject();
        online["publish"] = true;
        var flow = (string)(await api.PostAsync($"api/v1/tenants/{tenantId}/flows", token, online, ct))!["id"]!;
        var site = await api.PostAsync($"api/v1/tenants/{tenantId}/channels", token, new { kind = "website", name = "官网", domain = "shop.example.com", flowId = flow }, ct);
        return ((string)site!["channel"]!["channelKey"]!, email, "P001");
    }
}
