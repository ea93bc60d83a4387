using System.Text.Json;
using System.Text.Json.Nodes;
using Engine.Flows;
using Engine.Web.Admin;
using Engine.Web.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Engine.Web.Tests;

/// <summary>
/// The workbench and the web chat in Debian's Chromium against the real server: an agent and a visitor, each in a
/// browser context of their own, through the pages' own buttons and boxes.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class WorkbenchPageTests(Browser browser)
{
    private const string AgentPassword = "Agent#2026pw";

    private sealed record Site(TestTenant Tenant, string Key, string AgentEmail, string StaffNo, string Products);

    /// <summary>A tenant with the web chat sample on a website channel and an agent (nickname 小王) in its 产品咨询 group.</summary>
    private async Task<Site> SiteAsync()
    {
        var factory = browser.Server;
        var tenant = await TestTenant.CreateAsync(factory);
        var products = await tenant.AddGroupAsync(name: "产品咨询");
        var business = await tenant.AddGroupAsync(name: "商务合作");
        var (agentId, email, initial, _) = await tenant.AddAgentAsync([products]);
        var staffNo = (string)(await tenant.Admin.OkAsync(HttpMethod.Patch, $"{tenant.Base}/agents/{agentId}", new { nickname = "小王" }))["staffNo"]!;
        using (await ApiClient.SignInAsync(factory, email, initial, AgentPassword)) { }
        var online = JsonSerializer.SerializeToNode(FlowSamples.Load(FlowSamples.Online, new Dictionary<string, string> { ["产品咨询"] = products, ["商务合作"] = business }), FlowJson.Options)!.AsObject();
        online["publish"] = true;
        var flow = (string)(await tenant.Admin.PostOkAsync($"{tenant.Base}/flows", online))["id"]!;
        var site = await tenant.Admin.PostOkAsync($"{tenant.Base}/channels", new { kind = "website", name = "官网", domain = "shop.example.com", flowId = flow });
        return new Site(tenant, (string)site["channel"]!["channelKey"]!, email, staffNo, products);
    }

    [Fact]
    public async Task AS3_AS5_FL4_An_agent_and_a_visitor_chat_from_the_flow_to_the_end_in_the_browser()
    {
        var site = await SiteAsync();
        using var _ = site.Tenant;
        var errors = new List<string>();
        var agent = await browser.PageAsync(errors);
        var visitor = await browser.PageAsync(errors);

        // The agent signs in and goes online (现在上线).
        await Browser.SignInAsync(agent, site.AgentEmail, AgentPassword);
        await Expect(agent.Locator("#badge")).ToHaveTextAsync("下线");
        await agent.ClickAsync("#go-online");
        await Expect(agent.Locator("#badge")).ToHaveTextAsync("空闲中");

        // The visitor opens the chat and answers the flow's menu.
        await visitor.GotoAsync($"/chat/{site.Key}");
        await Expect(visitor.Locator("#state")).ToContainTextAsync("Online");
        await visitor.FillAsync("#text", "你好");
        await visitor.PressAsync("#text", "Enter");
        await Expect(visitor.Locator("li.flow").Last).ToHaveTextAsync("请回复数字选择业务：1 产品咨询；2 商务合作");
        await visitor.FillAsync("#text", "1");
        await visitor.PressAsync("#text", "Enter");

        // The offer rings at the agent, who answers; the visitor sees who serves them.
        var offer = agent.Locator(".offer");
        await Expect(offer).ToHaveCountAsync(1);
        await offer.Locator("button.answer").ClickAsync();
        var chat = agent.Locator("article.chat");
        await Expect(chat).ToHaveCountAsync(1);
        await Expect(agent.Locator("#badge")).ToHaveTextAsync("空闲中");
        await Expect(visitor.Locator("#state")).ToHaveTextAsync($"客服 小王 ({site.StaffNo}) 为您服务");
        await Expect(visitor.Locator("li.flow").Last).ToHaveTextAsync($"客服 {site.StaffNo} 为您服务");

        // Messages both ways.
        await visitor.FillAsync("#text", "想了解价格");
        await visitor.PressAsync("#text", "Enter");
        await Expect(chat.Locator("li.visitor")).ToHaveTextAsync("想了解价格");
        await chat.Locator("textarea").FillAsync("价格表请看官网");
        await chat.Locator("button.send").ClickAsync();
        await Expect(visitor.Locator("li.agent")).ToHaveTextAsync("价格表请看官网");
        await Expect(chat.Locator("li.agent")).ToHaveTextAsync("价格表请看官网");
        await Expect(chat.Locator("li")).ToHaveCountAsync(2);

        if (Environment.GetEnvironmentVariable("ENGINE_SCREENSHOTS") is { Length: > 0 } folder)
            await agent.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, "workbench.png") });

        // 结束会话: the visitor gets the end message; 完成会话: the chat leaves the workbench.
        await chat.Locator("button.end").ClickAsync();
        await Expect(visitor.Locator("#state")).ToContainTextAsync("会话已结束");
        await chat.Locator("button.complete").ClickAsync();
        await Expect(chat).ToHaveCountAsync(0);
        Browser.NoUnexpected(errors);
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<Browser>
{
    public const string Name = "browser";
}
