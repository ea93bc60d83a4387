using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Engine.Marketing;
using Engine.Web.Tests.Support;

namespace Engine.Web.Tests;

/// <summary>
/// MK-7, the phrase library (话术库) through the REST API: the FAQ (百问百答) and the enterprise phrases that admins keep,
/// each agent's personal phrases, the agents' search over all three, CSV in and out, and the robot tried on a question
/// (MK-4); on SQLite and PostgreSQL.
/// </summary>
public abstract class PhraseLibraryContract(EngineFactory factory)
{
    private const string InvoiceAnswer = "在「我的订单」里点「申请开票」，填写抬头和税号即可。";

    private sealed record Agent(string Id, ApiClient Api) : IDisposable
    {
        public void Dispose() => Api.Dispose();
    }

    private async Task<Agent> AgentAsync(TestTenant tenant)
    {
        var (id, _, _, token) = await tenant.AddAgentAsync();
        return new Agent(id, ApiClient.Bearer(factory, token));
    }

    private static async Task<string> AddAsync(ApiClient caller, string shelf, object body) => (string)(await caller.PostOkAsync(shelf, body))["id"]!;

    /// <summary>A shop's FAQ: invoices, refunds and delivery, none of them asked the way the tests ask.</summary>
    private static async Task<string> ShopFaqAsync(TestTenant tenant)
    {
        var invoice = await AddAsync(tenant.Admin, $"{tenant.Base}/faq", new { category = "发票", question = "怎么开发票", answer = InvoiceAnswer });
        await AddAsync(tenant.Admin, $"{tenant.Base}/faq", new { category = "售后", question = "怎么申请退款", similarQuestions = new[] { "不想要了能退吗" }, answer = "在订单详情页点「申请退款」，原路退回。" });
        await AddAsync(tenant.Admin, $"{tenant.Base}/faq", new { category = "物流", question = "快递多久到", answer = "下单后 48 小时内发货，一般三天送达。" });
        return invoice;
    }

    private static MultipartFormDataContent Csv(byte[] bytes)
    {
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        return new MultipartFormDataContent { { file, "file", "phrases.csv" } };
    }

    private static MultipartFormDataContent Csv(string text) => Csv(Encoding.UTF8.GetBytes(text));

    private static async Task<byte[]> ExportAsync(ApiClient caller, string shelf)
    {
        using var response = await caller.GetAsync($"{shelf}/export");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadAsByteArrayAsync();
    }

    private static async Task<JsonArray> ItemsAsync(ApiClient caller, string shelf, string query = "") => (await caller.GetOkAsync($"{shelf}{query}"))["items"]!.AsArray();

    private static string[] Ids(JsonNode? list) => [.. list!.AsArray().Select(p => (string)p!["id"]!)];

    /// <summary>An FAQ entry or a phrase by the fields a person writes, to compare shelves whatever their ids and order.</summary>
    private static string Written(JsonNode? p) => string.Join("|", (string?)p!["category"], (string?)p["question"], (string?)p["title"],
        string.Join("/", p["similarQuestions"]?.AsArray().Select(q => (string)q!) ?? []), (string?)p["answer"], (string?)p["text"]);

    private static async Task<string[]> WrittenAsync(ApiClient caller, string shelf) => [.. (await ItemsAsync(caller, shelf, "?limit=200")).Select(Written).Order(StringComparer.Ordinal)];

    [Fact]
    public async Task MK7_Admins_add_list_edit_and_delete_FAQ_entries_in_categories()
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        var faq = $"{tenant.Base}/faq";
        using var created = await tenant.Admin.PostAsync(faq, new { category = "发票", question = " 怎么开发票 ", similarQuestions = new[] { "发票在哪里申请", "发票在哪里申请", "能开发票吗" }, answer = InvoiceAnswer });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var entry = JsonNode.Parse(await created.Content.ReadAsStringAsync())!;
        var id = (string)entry["id"]!;
        Assert.EndsWith($"/faq/{id}", created.Headers.Location!.ToString(), StringComparison.Ordinal);
        Assert.Equal(("faq", "发票", "怎么开发票", InvoiceAnswer), ((string)entry["kind"]!, (string)entry["category"]!, (string)entry["question"]!, (string)entry["answer"]!));
        Assert.Equal(["发票在哪里申请", "能开发票吗"], entry["similarQuestions"]!.AsArray().Select(q => (string)q!));
        Assert.Null(entry["text"]);
        var uncategorized = await AddAsync(tenant.Admin, faq, new { question = "快递多久到", answer = "三天内送达。" });

        var page = await tenant.Admin.GetOkAsync(faq);
        Assert.Equal(2, (int)page["total"]!);
        Assert.Equal([id, uncategorized], Ids(page["items"]));
        Assert.Equal([uncategorized], Ids(await ItemsAsync(tenant.Admin, faq, "?category=默认")));
        Assert.Equal([id], Ids(await ItemsAsync(tenant.Admin, faq, "?keyword=抬头")));
        Assert.Equal(["发票", "默认"], (await tenant.Admin.GetOkAsync($"{faq}/categories")).AsArray().Select(c => (string)c!).Order(StringComparer.Ordinal));

        // An edit changes what it names and keeps the rest; a phrase's field on an entry, or a blank answer, is refused.
        var edited = await tenant.Admin.OkAsync(HttpMethod.Patch, $"{faq}/{id}", new { answer = "在订单详情页申请开票。" });
        Assert.Equal(("怎么开发票", "在订单详情页申请开票。", 2), ((string)edited["question"]!, (string)edited["answer"]!, edited["similarQuestions"]!.AsArray().Count));
        await ApiClient.FieldErrorAsync(await tenant.Admin.SendAsync(HttpMethod.Patch, $"{faq}/{id}", new { text = "不是问答" }), "text");
        await ApiClient.FieldErrorAsync(await tenant.Admin.SendAsync(HttpMethod.Patch, $"{faq}/{id}", new { answer = "  " }), "answer");
        await ApiClient.FieldErrorAsync(await tenant.Admin.PostAsync(faq, new { question = "没有答案" }), "answer");
        await ApiClient.FieldErrorAsync(await tenant.Admin.PostAsync(faq, new { question = "问", answer = "答", category = new string('类', 21) }), "category");

        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Admin.SendAsync(HttpMethod.Delete, $"{faq}/{id}")).StatusCode);
        await ApiClient.ProblemAsync(await tenant.Admin.SendAsync(HttpMethod.Patch, $"{faq}/{id}", new { answer = "还在吗" }), HttpStatusCode.NotFound);
        await ApiClient.ProblemAsync(await tenant.Admin.SendAsync(HttpMethod.Delete, $"{faq}/{id}"), HttpStatusCode.NotFound);
        Assert.Equal([uncategorized], Ids(await ItemsAsync(tenant.Admin, faq)));
        // The search follows at once: the deleted entry is not found any more.
        Assert.Empty((await tenant.Admin.GetOkAsync($"{tenant.Base}/me/phrase-search?q=开发票"))["faq"]!.AsArray());
    }

    [Fact]
    public async Task MK7_Admins_add_list_edit_and_delete_enterprise_phrases_and_agents_find_them()
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        using var agent = await AgentAsync(tenant);
        var phrases = $"{tenant.Base}/phrases";
        var greeting = await tenant.Admin.PostOkAsync(phrases, new { category = "问候", title = "开场", text = "您好，很高兴为您服务，请问有什么可以帮您？" });
        Assert.Equal(("enterprise", "问候", "开场"), ((string)greeting["kind"]!, (string)greeting["category"]!, (string)greeting["title"]!));
        Assert.Null(greeting["answer"]);
        var id = (string)greeting["id"]!;
        var plain = await AddAsync(tenant.Admin, phrases, new { text = "感谢您的耐心等待。" });
        Assert.Equal([id, plain], Ids(await ItemsAsync(tenant.Admin, phrases)));
        Assert.Equal([plain], Ids(await ItemsAsync(tenant.Admin, phrases, "?category=默认")));
        await ApiClient.FieldErrorAsync(await tenant.Admin.PostAsync(phrases, new { question = "问", text = "答" }), "question");
        await ApiClient.FieldErrorAsync(await tenant.Admin.PostAsync(phrases, new { title = "只有标题" }), "text");
        await ApiClient.FieldErrorAsync(await tenant.Admin.PostAsync(phrases, new { text = "太长的标题", title = new string('题', 31) }), "title");

        var edited = await tenant.Admin.OkAsync(HttpMethod.Patch, $"{phrases}/{id}", new { text = "您好，我是您的专属顾问，请问有什么可以帮您？" });
        Assert.Equal(("问候", "开场"), ((string)edited["category"]!, (string)edited["title"]!));
        var found = await agent.Api.GetOkAsync($"{tenant.Base}/me/phrase-search?q=专属顾问");
        Assert.Equal([id], Ids(found["phrases"]));
        Assert.Equal("您好，我是您的专属顾问，请问有什么可以帮您？", (string)found["phrases"]![0]!["text"]!);

        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Admin.SendAsync(HttpMethod.Delete, $"{phrases}/{id}")).StatusCode);
        await ApiClient.ProblemAsync(await tenant.Admin.SendAsync(HttpMethod.Patch, $"{phrases}/{id}", new { text = "还在吗" }), HttpStatusCode.NotFound);
        Assert.Empty((await agent.Api.GetOkAsync($"{tenant.Base}/me/phrase-search?q=专属顾问"))["phrases"]!.AsArray());
        Assert.Equal([plain], Ids(await ItemsAsync(tenant.Admin, phrases)));
    }

    [Fact]
    public async Task MK7_An_agent_keeps_personal_phrases_another_agent_can_neither_see_find_nor_change()
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        using var mine = await AgentAsync(tenant);
        using var other = await AgentAsync(tenant);
        var shelf = $"{tenant.Base}/me/phrases";
        var id = await AddAsync(mine.Api, shelf, new { category = "常用", title = "查询中", text = "稍等，我帮您查一下订单的物流信息。" });
        var theirs = await AddAsync(other.Api, shelf, new { text = "稍等，我帮您查一下物流信息，马上回复。" });
        var edited = await mine.Api.OkAsync(HttpMethod.Patch, $"{shelf}/{id}", new { category = "查询" });
        Assert.Equal(("personal", "查询", "查询中"), ((string)edited["kind"]!, (string)edited["category"]!, (string)edited["title"]!));
        Assert.Equal([id], Ids(await ItemsAsync(mine.Api, shelf)));
        Assert.Equal(["查询"], (await mine.Api.GetOkAsync($"{shelf}/categories")).AsArray().Select(c => (string)c!));
        Assert.Equal([id], Ids((await mine.Api.GetOkAsync($"{tenant.Base}/me/phrase-search?q=物流信息"))["phrases"]));

        // The other agent's list, categories and search have their own phrase alone; another's is not there to change.
        Assert.Equal([theirs], Ids(await ItemsAsync(other.Api, shelf)));
        Assert.Equal(["默认"], (await other.Api.GetOkAsync($"{shelf}/categories")).AsArray().Select(c => (string)c!));
        Assert.Equal([theirs], Ids((await other.Api.GetOkAsync($"{tenant.Base}/me/phrase-search?q=物流信息"))["phrases"]));
        await ApiClient.ProblemAsync(await other.Api.SendAsync(HttpMethod.Patch, $"{shelf}/{id}", new { text = "改掉" }), HttpStatusCode.NotFound);
        await ApiClient.ProblemAsync(await other.Api.SendAsync(HttpMethod.Delete, $"{shelf}/{id}"), HttpStatusCode.NotFound);
        Assert.DoesNotContain("稍等，我帮您查一下订单", Encoding.UTF8.GetString(await ExportAsync(other.Api, shelf)), StringComparison.Ordinal);
        // Nor is a personal phrase reached through the tenant's shelves, by an admin either.
        await ApiClient.ProblemAsync(await tenant.Admin.SendAsync(HttpMethod.Patch, $"{tenant.Base}/phrases/{id}", new { text = "改掉" }), HttpStatusCode.NotFound);
        await ApiClient.ProblemAsync(await tenant.Admin.SendAsync(HttpMethod.Delete, $"{tenant.Base}/faq/{id}"), HttpStatusCode.NotFound);
        Assert.Empty(await ItemsAsync(tenant.Admin, $"{tenant.Base}/phrases"));

        Assert.Equal("稍等，我帮您查一下订单的物流信息。", (string)(await ItemsAsync(mine.Api, shelf))[0]!["text"]!);
        Assert.Equal(HttpStatusCode.NoContent, (await mine.Api.SendAsync(HttpMethod.Delete, $"{shelf}/{id}")).StatusCode);
        Assert.Empty(await ItemsAsync(mine.Api, shelf));
        Assert.Empty((await mine.Api.GetOkAsync($"{tenant.Base}/me/phrase-search?q=物流信息"))["phrases"]!.AsArray());
    }

    [Fact]
    public async Task MK7_Only_admins_manage_the_FAQ_and_the_enterprise_phrases_and_try_the_robot()
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        using var agent = await AgentAsync(tenant);
        var entry = await AddAsync(tenant.Admin, $"{tenant.Base}/faq", new { question = "怎么开发票", answer = InvoiceAnswer });
        var phrase = await AddAsync(tenant.Admin, $"{tenant.Base}/phrases", new { text = "您好，很高兴为您服务。" });
        foreach (var (shelf, id, body) in new[] { ("faq", entry, (object)new { question = "问", answer = "答" }), ("phrases", phrase, new { text = "话术" }) })
        {
            var path = $"{tenant.Base}/{shelf}";
            foreach (var refused in new[]
            {
                await agent.Api.GetAsync(path), await agent.Api.PostAsync(path, body), await agent.Api.SendAsync(HttpMethod.Patch, $"{path}/{id}", body),
                await agent.Api.SendAsync(HttpMethod.Delete, $"{path}/{id}"), await agent.Api.GetAsync($"{path}/categories"), await agent.Api.GetAsync($"{path}/export"),
                await agent.Api.Http.PostAsync($"{path}/import", Csv("category,title,text\n问候,,您好\n")),
            })
            {
                using (refused) await ApiClient.ProblemAsync(refused, HttpStatusCode.Forbidden);
            }
        }
        using (var ask = await agent.Api.PostAsync($"{tenant.Base}/robot/ask", new { text = "怎么开发票" })) await ApiClient.ProblemAsync(ask, HttpStatusCode.Forbidden);
        // Nothing changed, and the agent still finds both through the search.
        Assert.Equal([entry], Ids(await ItemsAsync(tenant.Admin, $"{tenant.Base}/faq")));
        Assert.Equal([phrase], Ids(await ItemsAsync(tenant.Admin, $"{tenant.Base}/phrases")));
        var found = await agent.Api.GetOkAsync($"{tenant.Base}/me/phrase-search?q=开发票");
        Assert.Equal([entry], Ids(found["faq"]));
        Assert.Equal(InvoiceAnswer, (string)found["faq"]![0]!["answer"]!);
        Assert.Equal([phrase], Ids((await agent.Api.GetOkAsync($"{tenant.Base}/me/phrase-search?q=很高兴为您服务"))["phrases"]));
    }

    [Fact]
    public async Task MK7_A_CSV_export_imports_back_as_the_same_FAQ_entries_and_phrases()
    {
        using var source = await TestTenant.CreateAsync(factory);
        using var target = await TestTenant.CreateAsync(factory);
        // What CSV must quote: commas, quotes, line breaks; similar questions one per line in their cell.
        await AddAsync(source.Admin, $"{source.Base}/faq", new { category = "发票", question = "怎么开发票", similarQuestions = new[] { "发票在哪里申请", "能开专票吗, 公司用" }, answer = "在「我的订单」里点\"申请开票\"，\n填写抬头和税号即可。" });
        await AddAsync(source.Admin, $"{source.Base}/faq", new { category = "物流", question = "快递多久到", answer = "三天内送达。" });
        await AddAsync(source.Admin, $"{source.Base}/phrases", new { category = "问候", title = "开场", text = "您好，\"很高兴\"为您服务！" });
        await AddAsync(source.Admin, $"{source.Base}/phrases", new { text = "感谢您的耐心等待，\n祝您生活愉快。" });

        foreach (var shelf in new[] { "faq", "phrases" })
        {
            var exported = await ExportAsync(source.Admin, $"{source.Base}/{shelf}");
            Assert.Equal(Encoding.UTF8.GetPreamble(), exported[..3]);
            using var imported = await target.Admin.Http.PostAsync($"{target.Base}/{shelf}/import", Csv(exported));
            Assert.Equal(HttpStatusCode.OK, imported.StatusCode);
            Assert.Equal(2, (int)JsonNode.Parse(await imported.Content.ReadAsStringAsync())!["added"]!);
            Assert.Equal(await WrittenAsync(source.Admin, $"{source.Base}/{shelf}"), await WrittenAsync(target.Admin, $"{target.Base}/{shelf}"));
        }
        // The imported entries are searchable at once.
        Assert.Single((await target.Admin.GetOkAsync($"{target.Base}/me/phrase-search?q=开专票"))["faq"]!.AsArray());

        // An agent's own phrases go out and come back in the same way, to another agent's shelf.
        using var first = await AgentAsync(source);
        using var second = await AgentAsync(source);
        var mine = $"{source.Base}/me/phrases";
        await AddAsync(first.Api, mine, new { category = "常用", title = "稍等", text = "稍等，我帮您查一下。" });
        await AddAsync(first.Api, mine, new { text = "好的，马上为您处理，\n请稍候。" });
        using (var imported = await second.Api.Http.PostAsync($"{mine}/import", Csv(await ExportAsync(first.Api, mine))))
            Assert.Equal(HttpStatusCode.OK, imported.StatusCode);
        Assert.Equal(await WrittenAsync(first.Api, mine), await WrittenAsync(second.Api, mine));
        Assert.Equal(2, (await ItemsAsync(first.Api, mine)).Count);
    }

    [Fact]
    public async Task MK7_An_import_with_a_row_missing_its_answer_is_refused_naming_the_row_and_nothing_is_imported()
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        var existing = await AddAsync(tenant.Admin, $"{tenant.Base}/faq", new { question = "快递多久到", answer = "三天内送达。" });
        var csv = "category,question,similarQuestions,answer\n发票,怎么开发票,发票在哪里申请,\n售后,怎么退款,,在订单详情页申请退款。\n";
        using var refused = await tenant.Admin.Http.PostAsync($"{tenant.Base}/faq/import", Csv(csv));
        Assert.Contains("required", await ApiClient.FieldErrorAsync(refused, "rows[2].answer"), StringComparison.Ordinal);
        Assert.Equal([existing], Ids(await ItemsAsync(tenant.Admin, $"{tenant.Base}/faq")));
        Assert.Empty((await tenant.Admin.GetOkAsync($"{tenant.Base}/me/phrase-search?q=怎么退款"))["faq"]!.AsArray());

        // Personal phrases likewise: a row without its text names rows[3].text.
        using var agent = await AgentAsync(tenant);
        using var phrases = await agent.Api.Http.PostAsync($"{tenant.Base}/me/phrases/import", Csv("category,title,text\n常用,稍等,稍等，我帮您查一下。\n常用,空的,\n"));
        await ApiClient.FieldErrorAsync(phrases, "rows[3].text");
        Assert.Empty(await ItemsAsync(agent.Api, $"{tenant.Base}/me/phrases"));
    }

    [Fact]
    public async Task MK7_The_search_finds_an_FAQ_entry_by_a_paraphrase_of_its_question()
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        using var agent = await AgentAsync(tenant);
        var invoice = await ShopFaqAsync(tenant);
        var found = await agent.Api.GetOkAsync($"{tenant.Base}/me/phrase-search?q=发票在哪申请");
        var best = found["faq"]!.AsArray()[0]!;
        Assert.Equal((invoice, "怎么开发票", InvoiceAnswer), ((string)best["id"]!, (string)best["question"]!, (string)best["answer"]!));
        Assert.Equal(1, (int)(await agent.Api.GetOkAsync($"{tenant.Base}/me/phrase-search?q=发票在哪申请&limit=1"))["faq"]!.AsArray().Count);
        await ApiClient.FieldErrorAsync(await agent.Api.GetAsync($"{tenant.Base}/me/phrase-search?q=%20"), "q");
        await ApiClient.FieldErrorAsync(await agent.Api.GetAsync($"{tenant.Base}/me/phrase-search?q={new string('票', 201)}"), "q");
    }

    [Fact]
    public async Task MK4_MK7_The_robot_answers_a_paraphrased_question_with_its_entry_and_confidence_and_owns_up_to_an_off_topic_one()
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        var invoice = await ShopFaqAsync(tenant);
        var ask = $"{tenant.Base}/robot/ask";
        var sure = await tenant.Admin.PostOkAsync(ask, new { text = "发票在哪申请" });
        Assert.Equal((invoice, "怎么开发票", true, InvoiceAnswer), ((string)sure["entryId"]!, (string)sure["question"]!, (bool)sure["confident"]!, (string)sure["reply"]!));
        Assert.InRange((double)sure["confidence"]!, RobotReplies.Threshold, 1);

        var unsure = await tenant.Admin.PostOkAsync(ask, new { text = "明天北京会下雨吗" });
        Assert.False((bool)unsure["confident"]!);
        Assert.InRange((double)unsure["confidence"]!, 0, RobotReplies.Threshold);
        Assert.Equal(RobotReplies.NotSureQueued, (string)unsure["reply"]!);
        await ApiClient.FieldErrorAsync(await tenant.Admin.PostAsync(ask, new { text = " " }), "text");
    }
}

public sealed class PhraseLibraryOnSqliteTests(PhraseLibraryOnSqliteTests.Server factory) : PhraseLibraryContract(factory), IClassFixture<PhraseLibraryOnSqliteTests.Server>
{
    public sealed class Server : EngineFactory;
}

public sealed class PhraseLibraryOnPostgresTests(PostgresEngineFactory factory) : PhraseLibraryContract(factory), IClassFixture<PostgresEngineFactory>;
