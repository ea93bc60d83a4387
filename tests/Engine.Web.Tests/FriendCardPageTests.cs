using Engine.Web.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Engine.Web.Tests;

/// <summary>
/// MK-8 in the browser: the agent sends business cards from the workbench (发名片: their own, then a colleague's with an
/// edited text), and both pages show them as cards, every field as text.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class FriendCardPageTests(Browser browser)
{
    private const string AgentPassword = "Agent#2026pw";

    [Fact]
    public async Task MK8_An_agent_sends_their_card_and_a_colleagues_from_the_workbench_and_both_pages_show_them_as_cards_in_text()
    {
        var factory = browser.Server;
        using var tenant = await TestTenant.CreateAsync(factory);
        var products = await tenant.AddGroupAsync(name: "产品咨询");
        var business = await tenant.AddGroupAsync(name: "商务合作");
        var (agentId, email, initial, _) = await tenant.AddAgentAsync([products]);
        var staffNo = (string)(await tenant.Admin.OkAsync(HttpMethod.Patch, $"{tenant.Base}/agents/{agentId}", new { nickname = "小王" }))["staffNo"]!;
        using (await ApiClient.SignInAsync(factory, email, initial, AgentPassword)) { }
        // A colleague whose name and the agent's text are script-injection strings: shown as written, run never.
        const string colleagueName = "<img src=1 onerror=window.__xss=1>";
        var (colleagueId, _, _, _) = await tenant.AddAgentAsync();
        await tenant.Admin.OkAsync(HttpMethod.Patch, $"{tenant.Base}/agents/{colleagueId}", new { name = colleagueName, nickname = "李娜" });
        var key = await tenant.WebChatSiteAsync(products, business);

        var errors = new List<string>();
        var agent = await browser.PageAsync(errors);
        await Browser.SignInAsync(agent, email, AgentPassword);
        await agent.ClickAsync("#go-online");
        await Expect(agent.Locator("#badge")).ToHaveTextAsync("空闲中");
        var visitor = await browser.PageAsync(errors);
        await visitor.GotoAsync($"/chat/{key}");
        await Expect(visitor.Locator("#state")).ToContainTextAsync("Online");
        foreach (var text in new[] { "你好", "1" })
        {
            await visitor.FillAsync("#text", text);
            await visitor.PressAsync("#text", "Enter");
        }
        await agent.Locator(".offer button.answer").ClickAsync();
        var chat = agent.Locator("article.chat");
        await Expect(visitor.Locator("#state")).ToContainTextAsync("小王");

        // 发名片 opens the form on the agent's own card with the default invitation; sending puts a card in both pages.
        await chat.Locator("button.send-card").ClickAsync();
        await Expect(chat.Locator("select.card-person")).ToHaveValueAsync(agentId);
        await Expect(chat.Locator("textarea.card-words")).ToHaveValueAsync("您好，我是小王，加个好友吧，有问题随时找我。");
        await chat.Locator("button.card-send").ClickAsync();
        await Expect(chat.Locator(".card-form")).ToHaveCountAsync(0);
        var own = visitor.Locator("li.agent .business-card");
        await Expect(own).ToHaveCountAsync(1);
        await Expect(own.Locator(".card-staff")).ToHaveTextAsync($"工号 {staffNo}");
        await Expect(own.Locator(".card-text")).ToHaveTextAsync("您好，我是小王，加个好友吧，有问题随时找我。");
        await Expect(chat.Locator("li.agent .business-card .card-text")).ToHaveTextAsync("您好，我是小王，加个好友吧，有问题随时找我。");

        // A colleague's card: the text follows the chosen person until the agent edits it.
        await chat.Locator("button.send-card").ClickAsync();
        await chat.Locator("select.card-person").SelectOptionAsync(colleagueId);
        await Expect(chat.Locator("textarea.card-words")).ToHaveValueAsync("您好，我是李娜，加个好友吧，有问题随时找我。");
        const string edited = "加李娜好友 <script>window.__xss=2</script>";
        await chat.Locator("textarea.card-words").FillAsync(edited);
        await chat.Locator("button.card-send").ClickAsync();
        foreach (var page in new[] { agent, visitor })
        {
            var card = page.Locator("li.agent .business-card").Nth(1);
            await Expect(card.Locator(".card-name")).ToHaveTextAsync($"{colleagueName}（李娜）");
            await Expect(card.Locator(".card-text")).ToHaveTextAsync(edited);
            Assert.Equal(0, await page.Locator("li img, li script").CountAsync());
            Assert.Null(await page.EvaluateAsync<int?>("() => window.__xss"));
        }
        Browser.NoUnexpected(errors);
    }
}
