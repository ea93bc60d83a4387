using System.Text.Json;
using Engine.Flows;
using Engine.Web.Admin;
using Engine.Web.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Engine.Web.Tests;

/// <summary>
/// Message text and names are rendered as text, never as HTML: 200 injection strings as messages both ways and as the
/// agent's name and nickname, the screen pop's name and the quick reply's title open no dialog, run no script and
/// add no element in either page; each shows exactly as written.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class XssPageTests(Browser browser)
{
    private const string AgentPassword = "Agent#2026pw";

    [Fact]
    public async Task Two_hundred_injection_strings_as_messages_and_names_show_as_text_and_run_nothing_in_either_page()
    {
        var factory = browser.Server;
        using var tenant = await TestTenant.CreateAsync(factory);
        var payloads = XssPayloads.All;
        Assert.Equal(200, payloads.Distinct().Count());
        var nickname = XssPayloads.AtMost(20).First();
        var name = XssPayloads.AtMost(50).Last();
        var popName = XssPayloads.AtMost(20).Last();
        var replyTitle = XssPayloads.AtMost(50).Skip(5).First();
        var products = await tenant.AddGroupAsync(name: "产品咨询");
        var business = await tenant.AddGroupAsync(name: "商务合作");
        var (agentId, email, initial, token) = await tenant.AddAgentAsync([products]);
        await tenant.Admin.OkAsync(HttpMethod.Patch, $"{tenant.Base}/agents/{agentId}", new { nickname, name });
        using (await ApiClient.SignInAsync(factory, email, initial, AgentPassword)) { }
        await tenant.Admin.PostOkAsync($"{tenant.Base}/screen-pops", new { name = popName, url = "https://crm.example.com/customers/{customerId}", enabled = true });
        await tenant.Admin.PostOkAsync($"{tenant.Base}/quick-replies", new { title = replyTitle, body = payloads[7] });
        var key = await tenant.WebChatSiteAsync(products, business);

        var errors = new List<string>();
        var dialogs = new List<string>();
        var agent = await browser.PageAsync(errors);
        var visitor = await browser.PageAsync(errors);
        foreach (var page in new[] { agent, visitor }) page.Dialog += (_, dialog) => { lock (dialogs) dialogs.Add(dialog.Message); _ = dialog.DismissAsync(); };

        await Browser.SignInAsync(agent, email, AgentPassword);
        await Expect(agent.Locator("#who")).ToHaveTextAsync(name);
        await agent.ClickAsync("#go-online");
        await visitor.GotoAsync($"/chat/{key}");
        await Expect(visitor.Locator("#state")).ToContainTextAsync("Online");
        foreach (var text in new[] { "你好", "1" })
        {
            await visitor.FillAsync("#text", text);
            await visitor.PressAsync("#text", "Enter");
        }
        await agent.Locator(".offer button.answer").ClickAsync();
        await Expect(visitor.Locator("#state")).ToContainTextAsync(nickname);
        var chat = agent.Locator("article.chat");
        await Expect(chat.Locator(".pops a")).ToHaveTextAsync(popName);
        var conversationId = await chat.GetAttributeAsync("data-conversation");

        // The visitor types every string; the agent sends every string back.
        foreach (var text in payloads)
        {
            await visitor.FillAsync("#text", text);
            await visitor.PressAsync("#text", "Enter");
        }
        using var agentApi = ApiClient.Bearer(factory, token);
        foreach (var text in payloads) await agentApi.PostOkAsync($"{tenant.Base}/conversations/{conversationId}/messages", new { text });
        await chat.Locator("select").SelectOptionAsync(new SelectOptionValue { Label = replyTitle });
        await Expect(chat.Locator("textarea")).ToHaveValueAsync(payloads[7]);

        await Expect(chat.Locator("li.visitor")).ToHaveCountAsync(payloads.Count, new() { Timeout = 60_000 });
        await Expect(visitor.Locator("li.agent")).ToHaveCountAsync(payloads.Count, new() { Timeout = 60_000 });
        Assert.Equal(payloads, await chat.Locator("li.visitor").AllTextContentsAsync());
        Assert.Equal(payloads, await visitor.Locator("li.agent").AllTextContentsAsync());
        Assert.Equal(payloads, (await visitor.Locator("li.visitor").AllTextContentsAsync()).Skip(2));
        foreach (var page in new[] { agent, visitor })
        {
            // Nothing the strings name became an element, and no script they carry ran.
            Assert.Equal(0, await page.Locator("li script, li img, li svg, li iframe, li a, li object, li embed, li input, li video, li details, li style, li form").CountAsync());
            Assert.Null(await page.EvaluateAsync<int?>("() => window.__xss"));
        }
        Assert.Empty(dialogs);
        Browser.NoUnexpected(errors);
    }
}
