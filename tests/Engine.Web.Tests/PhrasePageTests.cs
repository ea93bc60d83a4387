using Engine.Web.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Engine.Web.Tests;

/// <summary>
/// MK-7 in the browser: an agent searches the phrase library from a chat on the workbench, picks an FAQ answer, edits
/// nothing and sends it; keeps their own phrases in 我的话术 and finds them by search; never sees a colleague's.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class PhrasePageTests(Browser browser)
{
    private const string AgentPassword = "Agent#2026pw";
    private const string InvoiceAnswer = "在「我的订单」里点「申请开票」，填写抬头和税号即可。";
    private const string Reminder = "发票会在三个工作日内开出，请留意短信。";
    private const string Colleagues = "发票的事我来跟进，这是同事自己的话术。";

    [Fact]
    public async Task MK7_An_agent_picks_an_FAQ_answer_from_the_chats_phrase_search_sends_it_and_finds_their_own_phrases_but_never_a_colleagues()
    {
        var factory = browser.Server;
        using var tenant = await TestTenant.CreateAsync(factory);
        var products = await tenant.AddGroupAsync(name: "产品咨询");
        var business = await tenant.AddGroupAsync(name: "商务合作");
        var (_, email, initial, _) = await tenant.AddAgentAsync([products]);
        using (await ApiClient.SignInAsync(factory, email, initial, AgentPassword)) { }
        var key = await tenant.WebChatSiteAsync(products, business);
        // The admin's FAQ entry and enterprise phrase (whose title would run as a script if a page put it in as HTML);
        // a colleague's personal phrase about the same thing.
        await tenant.Admin.PostOkAsync($"{tenant.Base}/faq", new { category = "发票", question = "怎么开发票", answer = InvoiceAnswer });
        const string scriptTitle = "<svg onload=window.__xss=1>";
        await tenant.Admin.PostOkAsync($"{tenant.Base}/phrases", new { category = "发票", title = scriptTitle, text = Reminder });
        var (_, _, _, colleagueToken) = await tenant.AddAgentAsync([products]);
        using (var colleague = ApiClient.Bearer(factory, colleagueToken)) await colleague.PostOkAsync($"{tenant.Base}/me/phrases", new { title = "同事的发票话术", text = Colleagues });

        var errors = new List<string>();
        var agent = await browser.PageAsync(errors);
        // 删除 asks first; the agent agrees.
        agent.Dialog += (_, dialog) => _ = dialog.AcceptAsync();
        await Browser.SignInAsync(agent, email, AgentPassword);
        await agent.ClickAsync("#go-online");
        await Expect(agent.Locator("#badge")).ToHaveTextAsync("空闲中");
        var visitor = await browser.PageAsync(errors);
        await visitor.GotoAsync($"/chat/{key}");
        await Expect(visitor.Locator("#state")).ToContainTextAsync("Online");
        foreach (var said in new[] { "你好", "1", "发票在哪申请？" })
        {
            await visitor.FillAsync("#text", said);
            await visitor.PressAsync("#text", "Enter");
            if (said == "1") await agent.Locator(".offer button.answer").ClickAsync();
        }
        var chat = agent.Locator("article.chat");
        await Expect(chat.Locator("li.visitor").Last).ToHaveTextAsync("发票在哪申请？");

        // The agent searches in the customer's words: the FAQ entry and the enterprise phrase show, grouped; the
        // colleague's phrase does not.
        var search = chat.GetByRole(AriaRole.Searchbox, new() { Name = "搜索话术 Search phrases" });
        await search.FillAsync("发票在哪申请");
        var faq = chat.Locator(".phrase-group[data-kind=faq]");
        await Expect(faq.Locator("h4")).ToHaveTextAsync("百问百答");
        await Expect(faq.Locator("button.phrase-pick").First.Locator(".phrase-label")).ToHaveTextAsync("怎么开发票");
        var enterprise = chat.Locator(".phrase-group[data-kind=enterprise]");
        await Expect(enterprise.Locator("h4")).ToHaveTextAsync("企业话术");
        await Expect(enterprise.Locator(".phrase-label")).ToHaveTextAsync(scriptTitle);
        await Expect(chat.Locator(".phrase-group[data-kind=personal]")).ToHaveCountAsync(0);
        await Expect(chat.Locator(".phrase-results")).Not.ToContainTextAsync(Colleagues);
        // ENGINE_SCREENSHOTS=folder saves the workbench with the search's results (as WorkbenchPageTests does the chat).
        if (Environment.GetEnvironmentVariable("ENGINE_SCREENSHOTS") is { Length: > 0 } folder)
            await agent.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, "workbench-phrases.png") });

        // A pick fills the message box and sends nothing; the agent sends it, and the visitor reads exactly that text.
        await faq.Locator("button.phrase-pick").First.ClickAsync();
        var message = chat.GetByRole(AriaRole.Textbox, new() { Name = "消息 Message" });
        await Expect(message).ToHaveValueAsync(InvoiceAnswer);
        await Expect(message).ToBeFocusedAsync();
        await Expect(chat.Locator(".phrase-group")).ToHaveCountAsync(0);
        await Expect(chat.Locator("li.agent")).ToHaveCountAsync(0);
        await chat.Locator("button.send").ClickAsync();
        await Expect(visitor.Locator("li.agent")).ToHaveTextAsync([InvoiceAnswer]);
        await Expect(chat.Locator("li.agent")).ToHaveTextAsync([InvoiceAnswer]);

        // 我的话术: the agent adds a phrase of their own with a category, then finds it from the chat.
        await agent.ClickAsync("#show-phrases");
        var manager = agent.Locator("#phrases");
        await manager.GetByLabel("分类 Category").FillAsync("开票");
        await manager.GetByLabel("标题 Title").FillAsync("开票进度");
        await manager.GetByLabel("内容 Text").FillAsync("您的发票正在开具，开好后会短信通知您。");
        await manager.GetByRole(AriaRole.Button, new() { Name = "添加 Add" }).ClickAsync();
        var rows = manager.Locator("tbody tr");
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows.Locator("td")).ToHaveTextAsync(["开票", "开票进度", "您的发票正在开具，开好后会短信通知您。", "修改删除"]);
        await Expect(manager.GetByLabel("内容 Text")).ToHaveValueAsync("");

        await search.FillAsync("发票开具");
        var personal = chat.Locator(".phrase-group[data-kind=personal]");
        await Expect(personal.Locator("h4")).ToHaveTextAsync("个人话术");
        await Expect(personal.Locator(".phrase-label")).ToHaveTextAsync(["开票进度"]);
        await Expect(chat.Locator(".phrase-results")).Not.ToContainTextAsync(Colleagues);

        // Changed in the manager, the search finds the new text; deleted, it finds it no more.
        await rows.GetByRole(AriaRole.Button, new() { Name = "修改 Edit 开票进度" }).ClickAsync();
        await manager.GetByLabel("内容 Text").FillAsync("您的发票已开具，请查收邮箱。");
        await manager.GetByRole(AriaRole.Button, new() { Name = "保存修改 Save" }).ClickAsync();
        await Expect(rows.Locator("td.phrase-text")).ToHaveTextAsync(["您的发票已开具，请查收邮箱。"]);
        await search.FillAsync("查收邮箱");
        await Expect(personal.Locator(".phrase-text")).ToHaveTextAsync(["您的发票已开具，请查收邮箱。"]);
        await rows.GetByRole(AriaRole.Button, new() { Name = "删除 Delete 开票进度" }).ClickAsync();
        await Expect(rows).ToHaveCountAsync(0);
        await search.FillAsync("");
        await search.FillAsync("查收邮箱");
        await Expect(chat.Locator(".phrase-results")).ToContainTextAsync("没有找到");

        // CSV in: the rows join the agent's phrases and the search.
        await manager.Locator("input.phrase-import").SetInputFilesAsync(new FilePayload
        {
            Name = "mine.csv", MimeType = "text/csv", Buffer = System.Text.Encoding.UTF8.GetBytes("category,title,text\n售后,,退款已原路退回，请注意查收。\n"),
        });
        await Expect(rows.Locator("td.phrase-text")).ToHaveTextAsync(["退款已原路退回，请注意查收。"]);
        await Expect(manager).ToContainTextAsync("已导入 1 条");
        if (Environment.GetEnvironmentVariable("ENGINE_SCREENSHOTS") is { Length: > 0 } shots)
            await agent.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(shots, "workbench-my-phrases.png"), FullPage = true });
        await Expect(manager.Locator("a.phrase-export")).ToHaveAttributeAsync("href", $"{tenant.Base}/me/phrases/export");

        Assert.Null(await agent.EvaluateAsync<int?>("() => window.__xss"));
        Browser.NoUnexpected(errors);
    }
}
