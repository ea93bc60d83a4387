using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Engine.Flows;
using Engine.Web.Admin;
using Engine.Web.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Engine.Web.Tests;

/// <summary>
/// The inbound adapter API end to end: a gateway posts customers' events with the channel's token, the channel's flow
/// answers (FL-1..FL-4, CH-3), and a transferred conversation reaches an agent who answers it through the REST API.
/// </summary>
public abstract class ChannelEventsContract(EngineFactory factory)
{
    private sealed record Center(TestTenant Tenant, string ProductsAgentToken, string Key, string Token, string PhoneKey, string PhoneToken);

    private async Task<Center> SetUpAsync(bool productsAgentOnline = true)
    {
        var tenant = await TestTenant.CreateAsync(factory);
        var products = await tenant.AddGroupAsync(name: "产品咨询");
        var business = await tenant.AddGroupAsync(name: "商务合作");
        var hotline = await tenant.AddGroupAsync(mode: "phone", receptionCap: null, name: "热线");
        var (_, _, _, agentToken) = await tenant.AddAgentAsync([products]);
        if (productsAgentOnline)
        {
            using var agent = ApiClient.Bearer(factory, agentToken);
            await agent.OkAsync(HttpMethod.Put, $"{tenant.Base}/me/presence", new { presence = "online" });
        }
        var groups = new Dictionary<string, string> { ["产品咨询"] = products, ["商务合作"] = business, ["热线"] = hotline };
        var online = Publish(FlowSamples.Load(FlowSamples.Online, groups));
        var ivr = Publish(FlowSamples.Load(FlowSamples.Ivr, groups));
        var onlineId = (string)(await tenant.Admin.PostOkAsync($"{tenant.Base}/flows", online))["id"]!;
        var ivrId = (string)(await tenant.Admin.PostOkAsync($"{tenant.Base}/flows", ivr))["id"]!;
        var site = await tenant.Admin.PostOkAsync($"{tenant.Base}/channels", new { kind = "website", name = "官网", domain = "shop.example.com", flowId = onlineId });
        var phone = await tenant.Admin.PostOkAsync($"{tenant.Base}/channels", new { kind = "phone", name = "热线", number = "4001234567", direction = "inbound", flowId = ivrId });
        return new Center(tenant, agentToken, (string)site["channel"]!["channelKey"]!, (string)site["token"]!, (string)phone["channel"]!["channelKey"]!, (string)phone["token"]!);
    }

    private static JsonObject Publish(FlowDocument document)
    {
        var body = JsonSerializer.SerializeToNode(document, FlowJson.Options)!.AsObject();
        body["publish"] = true;
        return body;
    }

    private async Task<HttpResponseMessage> SendAsync(string key, string? token, object body)
    {
        using var http = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/channels/{key}/events")
        {
            Content = body is string raw ? new StringContent(raw, Encoding.UTF8, "application/json") : System.Net.Http.Json.JsonContent.Create(body),
        };
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await http.SendAsync(request);
    }

    private async Task<JsonNode> EventAsync(string key, string token, object body)
    {
        using var response = await SendAsync(key, token, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"event answered {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!;
    }

    private static string[] Texts(JsonNode answer) => [.. answer["replies"]!.AsArray().Select(r => (string)r!["text"]!)];

    [Fact]
    public async Task FL1_FL3_FL4_A_website_customer_is_greeted_asked_and_transferred_to_an_agent_who_answers()
    {
        var center = await SetUpAsync();
        using var _ = center.Tenant;
        var first = await EventAsync(center.Key, center.Token, new { type = "message", customerId = "visitor-1", text = "你好" });
        Assert.Equal(["您好，欢迎光临！", "请回复数字选择业务：1 产品咨询；2 商务合作"], Texts(first));
        Assert.Equal("inFlow", (string)first["status"]!);
        var conversation = (string)first["conversationId"]!;

        var wrong = await EventAsync(center.Key, center.Token, new { type = "message", customerId = "visitor-1", text = "随便" });
        Assert.Equal(["抱歉没有听懂，请回复 1 或 2"], Texts(wrong));
        Assert.Equal(conversation, (string)wrong["conversationId"]!);
        var chosen = await EventAsync(center.Key, center.Token, new { type = "message", customerId = "visitor-1", text = "１" });
        Assert.Equal(("queued", conversation), ((string)chosen["status"]!, (string)chosen["conversationId"]!));

        // The agent of 产品咨询 is offered the conversation and answers it.
        using var agent = ApiClient.Bearer(factory, center.ProductsAgentToken);
        var offers = await agent.GetOkAsync($"{center.Tenant.Base}/me/offers");
        Assert.Contains(conversation, offers.ToJsonString(), StringComparison.Ordinal);
        await agent.PostOkAsync($"{center.Tenant.Base}/conversations/{conversation}/answer");
        Assert.Equal("Active", (string)(await center.Tenant.Admin.GetOkAsync($"{center.Tenant.Base}/conversations/{conversation}"))["status"]!);

        // Another customer of the same channel has a conversation of their own.
        var other = await EventAsync(center.Key, center.Token, new { type = "message", customerId = "visitor-2", text = "hi" });
        Assert.NotEqual(conversation, (string)other["conversationId"]!);
    }

    [Fact]
    public async Task FL3_FL4_A_caller_chooses_by_digits_and_with_nobody_online_hears_the_failure_and_the_call_ends()
    {
        var center = await SetUpAsync();
        using var _ = center.Tenant;
        var call = await EventAsync(center.PhoneKey, center.PhoneToken, new { type = "callStarted", customerId = "+8613800000000" });
        Assert.Equal(["您好，欢迎致电。", "产品咨询请按 1，商务合作请按 2"], Texts(call));
        Assert.All(call["replies"]!.AsArray(), r => Assert.Equal("audio", (string)r!["kind"]!));
        var wrong = await EventAsync(center.PhoneKey, center.PhoneToken, new { type = "digits", customerId = "+8613800000000", digits = "9" });
        Assert.Equal(["输入有误", "产品咨询请按 1，商务合作请按 2"], Texts(wrong));
        var failed = await EventAsync(center.PhoneKey, center.PhoneToken, new { type = "digits", customerId = "+8613800000000", digits = "1" });
        Assert.Equal(["抱歉，现在没有坐席在线，请稍后再拨"], Texts(failed));
        Assert.Equal(("ended", "noAgentOnline"), ((string)failed["status"]!, (string)failed["endReason"]!));

        // The next call of the same number is a new conversation.
        var again = await EventAsync(center.PhoneKey, center.PhoneToken, new { type = "callStarted", customerId = "+8613800000000" });
        Assert.NotEqual((string)call["conversationId"]!, (string)again["conversationId"]!);
        Assert.Equal("inFlow", (string)again["status"]!);
    }

    [Fact]
    public async Task After_the_handoff_the_customers_texts_reach_the_agent_and_once_the_agent_is_done_the_next_one_opens_a_new_conversation()
    {
        var center = await SetUpAsync();
        using var _ = center.Tenant;
        await EventAsync(center.Key, center.Token, new { type = "message", customerId = "handed", text = "hi" });
        var conversation = (string)(await EventAsync(center.Key, center.Token, new { type = "message", customerId = "handed", text = "1" }))["conversationId"]!;
        using var agent = ApiClient.Bearer(factory, center.ProductsAgentToken);
        await agent.PostOkAsync($"{center.Tenant.Base}/conversations/{conversation}/answer");

        var said = await EventAsync(center.Key, center.Token, new { type = "message", customerId = "handed", text = "我想问一下价格" });
        Assert.Equal(conversation, (string)said["conversationId"]!);
        Assert.Empty(Texts(said));
        var messages = await agent.GetOkAsync($"{center.Tenant.Base}/conversations/{conversation}/messages");
        Assert.Contains("我想问一下价格", messages.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }), StringComparison.Ordinal);

        await agent.PostOkAsync($"{center.Tenant.Base}/conversations/{conversation}/end");
        await agent.PostOkAsync($"{center.Tenant.Base}/conversations/{conversation}/complete");
        var next = await EventAsync(center.Key, center.Token, new { type = "message", customerId = "handed", text = "还有一个问题" });
        Assert.NotEqual(conversation, (string)next["conversationId"]!);
        Assert.Equal("您好，欢迎光临！", Texts(next)[0]);
    }

    [Fact]
    public async Task DB1_DB6_Visits_and_a_completed_conversation_with_its_channel_and_region_reach_the_dashboard_once_rolled_up()
    {
        var center = await SetUpAsync();
        using var _ = center.Tenant;
        await EventAsync(center.Key, center.Token, new { type = "message", customerId = "counted", text = "hi", region = "广东" });
        var conversation = (string)(await EventAsync(center.Key, center.Token, new { type = "message", customerId = "counted", text = "1" }))["conversationId"]!;
        // Another customer comes and never gets past the greeting: a visit, no conversation.
        await EventAsync(center.Key, center.Token, new { type = "message", customerId = "just-looking", text = "hi" });
        using var agent = ApiClient.Bearer(factory, center.ProductsAgentToken);
        await agent.PostOkAsync($"{center.Tenant.Base}/conversations/{conversation}/answer");
        await EventAsync(center.Key, center.Token, new { type = "message", customerId = "counted", text = "我想问一下价格" });
        await agent.PostOkAsync($"{center.Tenant.Base}/conversations/{conversation}/messages", new { text = "您好，199 元" });
        await agent.PostOkAsync($"{center.Tenant.Base}/conversations/{conversation}/end");
        await agent.PostOkAsync($"{center.Tenant.Base}/conversations/{conversation}/complete");

        var database = factory.Services.GetRequiredService<Engine.Persistence.Database>();
        await using (var connection = await database.OpenAsync())
        {
            var row = await Dapper.SqlMapper.QuerySingleAsync<(string? ChannelId, string? Region)>(connection,
                "SELECT channel_id, region FROM conversations WHERE tenant_id = @tenantId AND id = @conversation", new { tenantId = center.Tenant.Id, conversation });
            Assert.Equal(("广东", false), (row.Region, string.IsNullOrEmpty(row.ChannelId)));
        }
        await factory.Services.GetRequiredService<Engine.Persistence.Dashboard.DashboardRollups>().RollUpAllAsync();
        var f = (await center.Tenant.Admin.GetOkAsync($"{center.Tenant.Base}/dashboard?period=today"))["figures"]!;
        Assert.Equal((2L, 2L, 1L, 1L, 1L), ((long)f["visits"]!, (long)f["visitors"]!, (long)f["conversations"]!, (long)f["consultingVisitors"]!, (long)f["visitorMessages"]!));
        Assert.Equal(1.0, (double)f["replyRate"]!);
        Assert.Contains("64", await ApiClient.FieldErrorAsync(await SendAsync(center.Key, center.Token, new { type = "message", customerId = "x", text = "hi", region = new string('省', 65) }), "region"));
    }

    [Fact]
    public async Task A_customer_leaving_the_queue_abandons_the_conversation()
    {
        var center = await SetUpAsync(productsAgentOnline: false);
        using var _ = center.Tenant;
        // An agent of the group is online but busy, so that the transfer waits in the queue.
        using var busy = ApiClient.Bearer(factory, center.ProductsAgentToken);
        await busy.OkAsync(HttpMethod.Put, $"{center.Tenant.Base}/me/presence", new { presence = "online" });
        var groups = await center.Tenant.Admin.GetOkAsync($"{center.Tenant.Base}/skill-groups");
        var products = (string)groups["items"]!.AsArray().Single(g => (string)g!["name"]! == "产品咨询")!["id"]!;
        // The group's cap is 2: two chats make its only agent busy.
        foreach (var blockerVisitor in new[] { "blocker-1", "blocker-2" })
        {
            var blocker = (string)(await center.Tenant.Admin.PostOkAsync($"{center.Tenant.Base}/conversations", new { skillGroupId = products, visitorId = blockerVisitor, mode = "online" }))["id"]!;
            await busy.PostOkAsync($"{center.Tenant.Base}/conversations/{blocker}/answer");
        }

        await EventAsync(center.Key, center.Token, new { type = "message", customerId = "waiter", text = "hi" });
        var queued = await EventAsync(center.Key, center.Token, new { type = "message", customerId = "waiter", text = "1" });
        Assert.Equal(("queued", 0), ((string)queued["status"]!, (int)queued["position"]!));
        var conversation = (string)queued["conversationId"]!;
        var left = await EventAsync(center.Key, center.Token, new { type = "hangUp", customerId = "waiter" });
        Assert.Equal("ended", (string)left["status"]!);
        var record = await center.Tenant.Admin.GetOkAsync($"{center.Tenant.Base}/conversations/{conversation}");
        // Nobody served it: it is over at once, left by the customer.
        Assert.Equal(("Completed", "AbandonedInQueue"), ((string)record["status"]!, (string)record["endReason"]!));
        Assert.DoesNotContain(conversation, (await center.Tenant.Admin.GetOkAsync($"{center.Tenant.Base}/skill-groups/{products}/queue")).ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task FL3_FL4_A_caller_pressing_1_reaches_the_hotlines_agent_who_answers_the_call()
    {
        var center = await SetUpAsync();
        using var _ = center.Tenant;
        var groups = await center.Tenant.Admin.GetOkAsync($"{center.Tenant.Base}/skill-groups?mode=phone");
        var hotline = (string)groups["items"]![0]!["id"]!;
        var (_, _, _, hotlineAgentToken) = await center.Tenant.AddAgentAsync([hotline]);
        using var phoneAgent = ApiClient.Bearer(factory, hotlineAgentToken);
        await phoneAgent.OkAsync(HttpMethod.Put, $"{center.Tenant.Base}/me/presence", new { presence = "online" });

        await EventAsync(center.PhoneKey, center.PhoneToken, new { type = "callStarted", customerId = "+8613500000000" });
        var chosen = await EventAsync(center.PhoneKey, center.PhoneToken, new { type = "digits", customerId = "+8613500000000", digits = "1" });
        Assert.Equal("queued", (string)chosen["status"]!);
        var call = (string)chosen["conversationId"]!;
        Assert.Contains(call, (await phoneAgent.GetOkAsync($"{center.Tenant.Base}/me/offers")).ToJsonString(), StringComparison.Ordinal);
        await phoneAgent.PostOkAsync($"{center.Tenant.Base}/conversations/{call}/answer");
        var record = await center.Tenant.Admin.GetOkAsync($"{center.Tenant.Base}/conversations/{call}");
        Assert.Equal(("Active", "phone"), ((string)record["status"]!, (string)record["mode"]!));
    }

    [Fact]
    public async Task A_call_that_starts_again_while_in_the_flow_is_not_a_wrong_key()
    {
        var center = await SetUpAsync();
        using var _ = center.Tenant;
        var call = await EventAsync(center.PhoneKey, center.PhoneToken, new { type = "callStarted", customerId = "+8613600000000" });
        var again = await EventAsync(center.PhoneKey, center.PhoneToken, new { type = "callStarted", customerId = "+8613600000000" });
        Assert.Equal((string)call["conversationId"]!, (string)again["conversationId"]!);
        Assert.Empty(Texts(again));
        // Still three tries: two wrong keys leave the caller in the menu.
        await EventAsync(center.PhoneKey, center.PhoneToken, new { type = "digits", customerId = "+8613600000000", digits = "9" });
        var second = await EventAsync(center.PhoneKey, center.PhoneToken, new { type = "digits", customerId = "+8613600000000", digits = "9" });
        Assert.Equal("inFlow", (string)second["status"]!);
    }

    [Fact]
    public async Task A_customer_who_leaves_ends_the_conversation_and_comes_back_to_a_new_one()
    {
        var center = await SetUpAsync();
        using var _ = center.Tenant;
        var first = await EventAsync(center.Key, center.Token, new { type = "message", customerId = "leaver", text = "hi" });
        var left = await EventAsync(center.Key, center.Token, new { type = "hangUp", customerId = "leaver" });
        Assert.Equal("ended", (string)left["status"]!);
        var back = await EventAsync(center.Key, center.Token, new { type = "message", customerId = "leaver", text = "hi again" });
        Assert.NotEqual((string)first["conversationId"]!, (string)back["conversationId"]!);
        Assert.Equal("您好，欢迎光临！", Texts(back)[0]);
    }

    [Fact]
    public async Task Bad_events_get_a_problem_and_change_nothing()
    {
        var center = await SetUpAsync();
        using var _ = center.Tenant;
        var message = new { type = "message", customerId = "careful", text = "1" };
        await ApiClient.ProblemAsync(await SendAsync("no-such-channel", center.Token, message), HttpStatusCode.NotFound);
        await ApiClient.ProblemAsync(await SendAsync(center.Key, null, message), HttpStatusCode.Unauthorized);
        await ApiClient.ProblemAsync(await SendAsync(center.Key, center.PhoneToken, message), HttpStatusCode.Unauthorized);
        await ApiClient.FieldErrorAsync(await SendAsync(center.Key, center.Token, new { type = "teleport", customerId = "careful" }), "type");
        await ApiClient.FieldErrorAsync(await SendAsync(center.Key, center.Token, new { type = "digits", customerId = "careful", digits = "1" }), "type");
        await ApiClient.FieldErrorAsync(await SendAsync(center.Key, center.Token, new { type = "message", text = "1" }), "customerId");
        await ApiClient.FieldErrorAsync(await SendAsync(center.Key, center.Token, new { type = "message", customerId = "careful" }), "text");
        await ApiClient.FieldErrorAsync(await SendAsync(center.Key, center.Token, new { type = "message", customerId = "careful", text = "1", extra = true }), "extra");
        await ApiClient.ProblemAsync(await SendAsync(center.Key, center.Token, new { type = "message", customerId = "careful", text = new string('x', 20_000) }), HttpStatusCode.RequestEntityTooLarge);
        await ApiClient.ProblemAsync(await SendAsync(center.PhoneKey, center.PhoneToken, new { type = "digits", customerId = "careful", digits = "1; DROP" }), HttpStatusCode.BadRequest);

        // None of them began a conversation: the next good event is greeted as the first.
        var first = await EventAsync(center.Key, center.Token, message);
        Assert.Equal("您好，欢迎光临！", Texts(first)[0]);

        // CH-3: a channel without a flow serves nobody.
        var bare = await center.Tenant.Admin.PostOkAsync($"{center.Tenant.Base}/channels", new { kind = "wechat", name = "无流程", appId = "wx1" });
        var problem = await ApiClient.ProblemAsync(await SendAsync((string)bare["channel"]!["channelKey"]!, (string)bare["token"]!, message), HttpStatusCode.Conflict);
        Assert.Contains("CH-3", (string)problem["detail"]!, StringComparison.Ordinal);
    }
}

public sealed class ChannelEventsOnSqliteTests(EngineFactory factory) : ChannelEventsContract(factory), IClassFixture<EngineFactory>;

public sealed class ChannelEventsOnPostgresTests(PostgresEngineFactory factory) : ChannelEventsContract(factory), IClassFixture<PostgresEngineFactory>;
