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

    /// <summary>
    /// A tenant with the web chat sample on a website channel and an agent (nickname 小王) in its 产品咨询 group, which
    /// takes <paramref name="cap"/> chats an agent.
    /// </summary>
    private async Task<Site> SiteAsync(int cap = 2)
    {
        var factory = browser.Server;
        var tenant = await TestTenant.CreateAsync(factory);
        var products = await tenant.AddGroupAsync(name: "产品咨询", receptionCap: cap);
        var business = await tenant.AddGroupAsync(name: "商务合作");
        var (email, staffNo) = await AgentAsync(tenant, products, "小王");
        var key = await tenant.WebChatSiteAsync(products, business);
        return new Site(tenant, key, email, staffNo, products);
    }

    /// <summary>An agent of the group with the nickname, their initial password changed to <see cref="AgentPassword"/>.</summary>
    private async Task<(string Email, string StaffNo)> AgentAsync(TestTenant tenant, string group, string nickname, string? name = null)
    {
        var (agentId, email, initial, _) = await tenant.AddAgentAsync([group]);
        var changed = await tenant.Admin.OkAsync(HttpMethod.Patch, $"{tenant.Base}/agents/{agentId}", name is null ? new { nickname } : (object)new { nickname, name });
        using (await ApiClient.SignInAsync(browser.Server, email, initial, AgentPassword)) { }
        return (email, (string)changed["staffNo"]!);
    }

    /// <summary>An agent's workbench, signed in and online.</summary>
    private async Task<IPage> OnlineAsync(string email, List<string> errors)
    {
        var page = await browser.PageAsync(errors);
        await Browser.SignInAsync(page, email, AgentPassword);
        await page.ClickAsync("#go-online");
        await Expect(page.Locator("#badge")).ToHaveTextAsync("空闲中");
        return page;
    }

    /// <summary>A visitor who opened the chat and chose 产品咨询 from the flow's menu: queued, or offered at once.</summary>
    private async Task<IPage> QueuedVisitorAsync(Site site, List<string> errors)
    {
        var visitor = await browser.PageAsync(errors);
        await visitor.GotoAsync($"/chat/{site.Key}");
        await Expect(visitor.Locator("#state")).ToContainTextAsync("Online");
        await SayAsync(visitor, "你好");
        await Expect(visitor.Locator("li.flow").Last).ToHaveTextAsync("请回复数字选择业务：1 产品咨询；2 商务合作");
        await SayAsync(visitor, "1");
        return visitor;
    }

    private static async Task SayAsync(IPage visitor, string text)
    {
        await visitor.FillAsync("#text", text);
        await visitor.PressAsync("#text", "Enter");
    }

    [Fact]
    public async Task AS3_AS5_FL4_An_agent_and_a_visitor_chat_from_the_flow_to_the_end_in_the_browser()
    {
        var site = await SiteAsync();
        using var _ = site.Tenant;
        var errors = new List<string>();

        // The agent signs in and goes online (现在上线); the visitor opens the chat and answers the flow's menu.
        var agent = await browser.PageAsync(errors);
        await Browser.SignInAsync(agent, site.AgentEmail, AgentPassword);
        await Expect(agent.Locator("#badge")).ToHaveTextAsync("下线");
        await agent.ClickAsync("#go-online");
        await Expect(agent.Locator("#badge")).ToHaveTextAsync("空闲中");
        var visitor = await QueuedVisitorAsync(site, errors);

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
        await SayAsync(visitor, "想了解价格");
        await Expect(chat.Locator("li.visitor")).ToHaveTextAsync("想了解价格");
        await chat.Locator("textarea").FillAsync("价格表请看官网");
        await chat.Locator("button.send").ClickAsync();
        await Expect(visitor.Locator("li.agent")).ToHaveTextAsync("价格表请看官网");
        await Expect(chat.Locator("li.agent")).ToHaveTextAsync("价格表请看官网");
        await Expect(chat.Locator("li")).ToHaveCountAsync(2);
        // ENGINE_SCREENSHOTS=folder saves the workbench in the middle of the chat (docs/workbench.png comes from here).
        if (Environment.GetEnvironmentVariable("ENGINE_SCREENSHOTS") is { Length: > 0 } folder)
            await agent.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, "workbench.png") });

        // An image: the agent picks a file; both sides show it from the server.
        await chat.Locator("input.image-file").SetInputFilesAsync(new FilePayload { Name = "dot.png", MimeType = "image/png", Buffer = ImageTests.Png });
        await Expect(visitor.Locator("li.agent img")).ToHaveCountAsync(1);
        await Expect(chat.Locator("li.agent img")).ToHaveCountAsync(1);
        Assert.Equal(1, await visitor.Locator("li.agent img").EvaluateAsync<int>("img => img.complete ? img.naturalWidth : new Promise(r => img.onload = () => r(img.naturalWidth))"));


        // 结束会话: the visitor gets the end message; 完成会话: the chat leaves the workbench.
        await chat.Locator("button.end").ClickAsync();
        await Expect(visitor.Locator("#state")).ToContainTextAsync("会话已结束");
        await chat.Locator("button.complete").ClickAsync();
        await Expect(chat).ToHaveCountAsync(0);
        Browser.NoUnexpected(errors);
    }

    [Fact]
    public async Task AS4_RT4_An_unanswered_offer_moves_to_a_second_agent_and_the_first_is_told_they_are_on_break()
    {
        var site = await SiteAsync();
        using var _ = site.Tenant;
        await site.Tenant.Admin.OkAsync(HttpMethod.Put, $"{site.Tenant.Base}/settings/online", new { timeoutTransfer = true, timeoutTransferSeconds = 2 });
        var (secondEmail, secondStaffNo) = await AgentAsync(site.Tenant, site.Products, "小李");
        var errors = new List<string>();
        // The first online is the longest idle: the offer rings there first.
        var first = await OnlineAsync(site.AgentEmail, errors);
        var second = await OnlineAsync(secondEmail, errors);
        var visitor = await QueuedVisitorAsync(site, errors);

        await Expect(first.Locator(".offer .countdown")).ToContainTextAsync("s left");
        await Expect(first.Locator("#badge")).ToHaveTextAsync("小休中");
        await Expect(first.Locator("#notice")).ToContainTextAsync("You missed an offer");
        await Expect(first.Locator(".offer")).ToHaveCountAsync(0);
        await second.Locator(".offer button.answer").ClickAsync();
        await Expect(visitor.Locator("#state")).ToHaveTextAsync($"客服 小李 ({secondStaffNo}) 为您服务");

        // The visitor ends the chat with the page's own button (closing the tab would not): the agent sees it end.
        await visitor.ClickAsync("#leave");
        await Expect(second.Locator("article.chat li.system")).ToHaveTextAsync("会话已结束 (CustomerLeft)");
        await Expect(second.Locator("article.chat button.complete")).ToHaveCountAsync(1);
        Browser.NoUnexpected(errors);
    }

    [Fact]
    public async Task RT6_Queue_positions_count_down_in_the_visitors_chat_as_the_agent_frees_up()
    {
        var site = await SiteAsync(cap: 1);
        using var _ = site.Tenant;
        var errors = new List<string>();
        var agent = await OnlineAsync(site.AgentEmail, errors);
        var served = await QueuedVisitorAsync(site, errors);
        await agent.Locator(".offer button.answer").ClickAsync();
        await Expect(served.Locator("#state")).ToContainTextAsync("为您服务");
        var next = await QueuedVisitorAsync(site, errors);
        await Expect(next.Locator("#state")).ToHaveTextAsync("排队中，您是下一位 · You are next");
        var last = await QueuedVisitorAsync(site, errors);
        await Expect(last.Locator("#state")).ToHaveTextAsync("排队中，您前面还有 1 位 · 1 ahead of you");

        // The agent finishes the first chat: the next visitor is offered, the last one moves up.
        await agent.Locator("article.chat button.end").ClickAsync();
        await agent.Locator("article.chat button.complete").ClickAsync();
        await Expect(last.Locator("#state")).ToHaveTextAsync("排队中，您是下一位 · You are next");
        await agent.Locator(".offer button.answer").ClickAsync();
        await Expect(next.Locator("#state")).ToContainTextAsync("为您服务");
        Browser.NoUnexpected(errors);
    }

    [Fact]
    public async Task A_dropped_workbench_connection_resyncs_with_nothing_lost_and_nothing_shown_twice()
    {
        var site = await SiteAsync();
        using var _ = site.Tenant;
        var errors = new List<string>();
        var agent = await browser.PageAsync(errors);
        // The test holds the workbench's WebSocket to the hub, so that it can drop it.
        var sockets = new List<IWebSocketRoute>();
        await agent.RouteWebSocketAsync(new System.Text.RegularExpressions.Regex("/hubs/agent"), ws =>
        {
            ws.ConnectToServer();
            lock (sockets) sockets.Add(ws);
        });
        await Browser.SignInAsync(agent, site.AgentEmail, AgentPassword);
        await agent.ClickAsync("#go-online");
        var visitor = await QueuedVisitorAsync(site, errors);
        await agent.Locator(".offer button.answer").ClickAsync();
        var chat = agent.Locator("article.chat");
        await SayAsync(visitor, "第一条");
        await Expect(chat.Locator("li.visitor")).ToHaveCountAsync(1);

        // The connection drops; the visitor goes on writing meanwhile; the workbench reconnects by itself.
        IWebSocketRoute dropped;
        lock (sockets) dropped = sockets[^1];
        await dropped.CloseAsync();
        foreach (var text in new[] { "第二条", "第三条", "第四条" }) await SayAsync(visitor, text);
        await Expect(visitor.Locator("li.visitor")).ToHaveCountAsync(6); // with the two answers to the flow
        await Expect(agent.Locator("#connection")).ToHaveTextAsync("已连接 connected");
        await Expect(chat.Locator("li.visitor")).ToHaveTextAsync(["第一条", "第二条", "第三条", "第四条"]);
        Assert.Equal(["1", "2", "3", "4"], await chat.Locator("li").EvaluateAllAsync<string[]>("items => items.map(i => i.dataset.seq)"));
        Assert.True(sockets.Count >= 2, "the workbench connected again");
        // What the browser logs of the drop itself (and of a reconnect under the old connection id, which the server no longer has).
        Browser.NoUnexpected(errors, "WebSocket closed with status code", "/hubs/agent?id=");
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<Browser>
{
    public const string Name = "browser";
}
