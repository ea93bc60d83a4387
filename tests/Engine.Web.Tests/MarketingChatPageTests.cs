using Engine.Grains.Routing;
using Engine.Web.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Engine.Web.Tests;

/// <summary>
/// MK-5, MK-6 in Debian's Chromium: visitors open a marketing account's test link and read its prompts at the right
/// moments: the welcome with its numbered menu, the no-agent prompt while nobody can take them, the queue prompt with
/// their place, and the end-of-chat prompt when the agent ends the chat.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class MarketingChatPageTests(Browser browser)
{
    [Fact]
    public async Task MK5_MK6_The_test_link_shows_the_welcome_menu_then_the_no_agent_queue_and_end_prompts_when_they_apply()
    {
        var factory = browser.Server;
        using var tenant = await TestTenant.CreateAsync(factory);
        var (agentId, _, _, token) = await tenant.AddAgentAsync();
        using var agent = ApiClient.Bearer(factory, token);
        var account = await tenant.Admin.PostOkAsync($"{tenant.Base}/marketing-accounts", new
        {
            name = "旗舰店",
            rule = new { cap = 1 },
            prompts = new
            {
                welcome = new { enabled = true, text = "欢迎光临旗舰店！", menu = new[] { "课程咨询", "开发票" } },
                queue = new { enabled = true, text = "当前排队中，您前面还有${WaitNo}位" },
                noAgent = new { enabled = true, text = "客服暂时不在，请留言" },
                end = new { enabled = true, text = "感谢咨询，再见" },
            },
        });
        var accountId = (string)account["id"]!;
        await tenant.Admin.OkAsync(HttpMethod.Put, $"{tenant.Base}/marketing-accounts/{accountId}/staff", new { agentIds = new[] { agentId } });
        var link = (string)(await tenant.Admin.GetOkAsync($"{tenant.Base}/marketing-accounts/{accountId}/test-link"))["url"]!;
        var errors = new List<string>();

        // The first visitor writes while the only staff member is offline: the welcome and its menu, then the no-agent prompt.
        var first = await browser.PageAsync(errors);
        await first.GotoAsync(new Uri(link).PathAndQuery);
        await Expect(first.Locator("#state")).ToContainTextAsync("Online");
        await SendAsync(first, "你好");
        var prompts = first.Locator("#transcript li.flow");
        await Expect(prompts.Nth(0)).ToHaveTextAsync("欢迎光临旗舰店！\n1. 课程咨询\n2. 开发票");
        await Expect(prompts.Nth(1)).ToHaveTextAsync("客服暂时不在，请留言");
        await SendAsync(first, "1");

        // The agent comes online and answers; the menu pick reached them as its item.
        await agent.OkAsync(HttpMethod.Put, $"{tenant.Base}/me/presence", new { presence = "online" });
        var conversationId = await OfferedAsync(tenant, agentId);
        await agent.PostOkAsync($"{tenant.Base}/conversations/{conversationId}/answer");
        await Expect(first.Locator("#state")).ToContainTextAsync("为您服务");
        var messages = await agent.GetOkAsync($"{tenant.Base}/conversations/{conversationId}/messages");
        Assert.Equal(["你好", "课程咨询"], messages.AsArray().Select(m => (string)m!["content"]!));

        // The agent is at their cap of 1: the next visitor hears their place in the queue.
        var second = await browser.PageAsync(errors);
        await second.GotoAsync(new Uri(link).PathAndQuery);
        await Expect(second.Locator("#state")).ToContainTextAsync("Online");
        await SendAsync(second, "在吗");
        await Expect(second.Locator("#transcript li.flow", new() { HasTextString = "您前面还有0位" })).ToHaveTextAsync("当前排队中，您前面还有0位");
        await Expect(second.Locator("#state")).ToHaveTextAsync("排队中，您是下一位 · You are next");

        // The agent ends the first chat: the end-of-chat prompt.
        await agent.PostOkAsync($"{tenant.Base}/conversations/{conversationId}/end");
        await Expect(first.Locator("#transcript li.flow").Last).ToHaveTextAsync("感谢咨询，再见");
        await Expect(first.Locator("#state")).ToContainTextAsync("会话已结束");
        Browser.NoUnexpected(errors);
    }

    private static async Task SendAsync(IPage page, string text)
    {
        await page.FillAsync("#text", text);
        await page.PressAsync("#text", "Enter");
        await Expect(page.Locator("#text")).ToHaveValueAsync("");
    }

    /// <summary>
    /// The conversation offered to the agent once it rings, as their workbench would: the agent's reservation comes
    /// first, and the conversation takes the offer a moment later (the group tells it one-way); an answer before that
    /// is refused as not the agent's.
    /// </summary>
    private async Task<string> OfferedAsync(TestTenant tenant, string agentId)
    {
        var grains = browser.Server.Services.GetRequiredService<IGrainFactory>();
        string? id = null;
        Assert.True(await Engine.Driver.ContactCenter.EventuallyAsync(async () =>
        {
            id = (await grains.Agent(tenant.Id, agentId).GetSnapshot()).Work.FirstOrDefault()?.ConversationId;
            if (id is null) return false;
            var conversation = await grains.Conversation(tenant.Id, id).GetSnapshot();
            return conversation is { Status: Engine.Conversations.ConversationStatus.Offered } && conversation.AgentId == agentId;
        }, TimeSpan.FromSeconds(15), CancellationToken.None));
        return id!;
    }
}
