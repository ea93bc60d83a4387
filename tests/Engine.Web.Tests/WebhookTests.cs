using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Engine.Flows;
using Engine.Web.Admin;
using Engine.Web.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Engine.Web.Tests;

/// <summary>
/// Replies pushed to a channel's webhook: every reply of the flow, also those no call answers (a phone branch's timeout
/// prompt), signed with the channel's secret, and retried with backoff while the gateway fails. The gateway is the one
/// part played by a double (it is outside: WeChat, a telephony gateway); the server, store and grains are real.
/// </summary>
public sealed class WebhookTests(WebhookTests.Server factory) : IClassFixture<WebhookTests.Server>
{
    public sealed class Server : EngineFactory
    {
        public FakeTimeProvider FakeClock { get; } = new(new DateTimeOffset(2026, 12, 2, 9, 0, 0, TimeSpan.Zero));

        public Gateway Gateway { get; } = new();

        public Engine.Grains.Hosting.Quiescence Quiescence { get; } = new() { Enabled = true };

        /// <summary>Moves the clock on and waits until the grain turns it started (deadline ticks) are done.</summary>
        public async Task AdvanceAsync(TimeSpan by)
        {
            FakeClock.Advance(by);
            await Quiescence.WhenIdle().WaitAsync(TimeSpan.FromSeconds(30));
        }

        public override TimeProvider? Clock => FakeClock;

        /// <summary>The tests deliver themselves: no background ticks racing them on the shared clock.</summary>
        protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string> { ["Engine:Webhooks:PollSeconds"] = "0" };

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureServices(services =>
            {
                services.AddHttpClient(WebhookDispatcher.ClientName).ConfigurePrimaryHttpMessageHandler(() => Gateway);
                // One-way calls counted, so that a test waits for what a clock advance set going (the grains' deadline ticks).
                services.AddSingleton(Quiescence);
                services.AddSingleton<Orleans.IOutgoingGrainCallFilter, Support.EngineOneWayCounter>();
            });
        }
    }

    /// <summary>The gateway's webhook: records what it receives; answers 503 while told to fail.</summary>
    public sealed class Gateway : HttpMessageHandler
    {
        public ConcurrentQueue<(string Body, string Timestamp, string Signature, string EventId)> Received { get; } = new();

        /// <summary>The <c>X-Engine-Sequence</c> of each push received, with its body, in the order received.</summary>
        public ConcurrentQueue<(long Sequence, string Body)> Sequences { get; } = new();

        private int _failNext;

        public int FailNext
        {
            get => Volatile.Read(ref _failNext);
            set => Volatile.Write(ref _failNext, value);
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (Interlocked.Decrement(ref _failNext) >= 0) return new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
            Interlocked.Exchange(ref _failNext, 0);
            var body = await request.Content!.ReadAsStringAsync(cancellationToken);
            Sequences.Enqueue((long.Parse(request.Headers.GetValues("X-Engine-Sequence").Single(), System.Globalization.CultureInfo.InvariantCulture), body));
            Received.Enqueue((body, request.Headers.GetValues("X-Engine-Timestamp").Single(),
                request.Headers.GetValues("X-Engine-Signature").Single(), request.Headers.GetValues("X-Engine-Event-Id").Single()));
            return new HttpResponseMessage(HttpStatusCode.OK);
        }
    }

    private WebhookDispatcher Dispatcher => factory.Services.GetRequiredService<WebhookDispatcher>();

    private async Task<(TestTenant Tenant, string Key, string Token, string Secret)> PhoneChannelAsync()
    {
        var tenant = await TestTenant.CreateAsync(factory);
        var hotline = await tenant.AddGroupAsync(mode: "phone", receptionCap: null, name: "热线");
        var ivr = JsonSerializer.SerializeToNode(FlowSamples.Load(FlowSamples.Ivr, new Dictionary<string, string> { ["热线"] = hotline }), FlowJson.Options)!.AsObject();
        ivr["publish"] = true;
        var flow = (string)(await tenant.Admin.PostOkAsync($"{tenant.Base}/flows", ivr))["id"]!;
        var channel = await tenant.Admin.PostOkAsync($"{tenant.Base}/channels", new { kind = "phone", name = "热线", number = "4001234567", direction = "inbound", flowId = flow, webhookUrl = "https://gateway.example/engine" });
        return (tenant, (string)channel["channel"]!["channelKey"]!, (string)channel["token"]!, (string)channel["webhookSecret"]!);
    }

    private async Task<JsonNode> EventAsync(string key, string token, object body)
    {
        using var http = factory.CreateClient();
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        using var response = await http.PostAsync($"/api/v1/channels/{key}/events", System.Net.Http.Json.JsonContent.Create(body));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonNode.Parse(text)!;
    }

    [Fact]
    public async Task FL3_Replies_are_pushed_signed_also_the_timeout_prompt_no_call_answers_and_the_hang_up()
    {
        var (tenant, key, token, secret) = await PhoneChannelAsync();
        using var _ = tenant;
        factory.Gateway.Received.Clear();
        var call = await EventAsync(key, token, new { type = "callStarted", customerId = "+8613900000000" });
        await DeliveredAsync(1);

        // Three timeouts of 10 s: two prompts, then the hang-up (most invalid inputs: 3), each pushed as it happens.
        for (var i = 0; i < 3; i++)
        {
            await factory.AdvanceAsync(TimeSpan.FromSeconds(10));
            await DeliveredAsync(2 + i);
        }
        var pushed = factory.Gateway.Received.ToList();
        Assert.Equal(4, pushed.Count);
        foreach (var (body, timestamp, signature, eventId) in pushed)
        {
            Assert.Equal(WebhookDispatcher.Signature(secret, timestamp, body), signature);
            var push = JsonNode.Parse(body)!;
            Assert.Equal((string)call["conversationId"]!, (string)push["conversationId"]!);
            Assert.Equal("+8613900000000", (string)push["customerId"]!);
            Assert.Equal(eventId, (string)push["eventId"]!);
        }
        Assert.Equal(["您好，欢迎致电。", "产品咨询请按 1，商务合作请按 2"], Texts(pushed[0].Body));
        Assert.Equal(["没有收到您的按键", "产品咨询请按 1，商务合作请按 2"], Texts(pushed[1].Body));
        var last = JsonNode.Parse(pushed[3].Body)!;
        Assert.Equal(("ended", "tooManyInvalidInputs"), ((string)last["status"]!, (string)last["endReason"]!));
    }

    [Fact]
    public async Task A_failing_gateway_gets_the_push_again_after_1_2_and_4_seconds_until_it_takes_it()
    {
        var (tenant, key, token, _) = await PhoneChannelAsync();
        using var _ = tenant;
        factory.Gateway.Received.Clear();
        factory.Gateway.FailNext = 3;
        await EventAsync(key, token, new { type = "callStarted", customerId = "+8613700000000" });
        await Dispatcher.DeliverDueAsync(default);
        Assert.Equal(2, factory.Gateway.FailNext);
        // The tries are counted at the gateway.
        foreach (var (wait, left) in new[] { (1, 1), (2, 0) })
        {
            await factory.AdvanceAsync(TimeSpan.FromSeconds(wait) - TimeSpan.FromMilliseconds(1));
            await Dispatcher.DeliverDueAsync(default);
            Assert.Equal(left + 1, factory.Gateway.FailNext);
            await factory.AdvanceAsync(TimeSpan.FromMilliseconds(1));
            await Dispatcher.DeliverDueAsync(default);
            Assert.Equal(left, factory.Gateway.FailNext);
        }
        await factory.AdvanceAsync(TimeSpan.FromSeconds(4) - TimeSpan.FromMilliseconds(1));
        await Dispatcher.DeliverDueAsync(default);
        Assert.Empty(factory.Gateway.Received);
        await factory.AdvanceAsync(TimeSpan.FromMilliseconds(1));
        await DeliveredAsync(1);
        // Delivered once: nothing more to send (7 s in, the branch's 10 s timeout has not come).
        Assert.Equal(0, await Dispatcher.DeliverDueAsync(default));
        Assert.Single(factory.Gateway.Received);
        await EventAsync(key, token, new { type = "hangUp", customerId = "+8613700000000" });
    }

    [Fact]
    public async Task FL4_FL5_RT6_After_the_transfer_the_queue_moving_the_agent_their_words_and_the_reply_timeout_reach_the_webhook()
    {
        var tenant = await TestTenant.CreateAsync(factory);
        using var _ = tenant;
        var products = await tenant.AddGroupAsync(name: "产品咨询", receptionCap: 1);
        var business = await tenant.AddGroupAsync(name: "商务合作");
        var (agentId, _, _, agentToken) = await tenant.AddAgentAsync([products]);
        var staffNo = (string)(await tenant.Admin.OkAsync(HttpMethod.Patch, $"{tenant.Base}/agents/{agentId}", new { nickname = "小王" }))["staffNo"]!;
        using var agent = ApiClient.Bearer(factory, agentToken);
        await agent.OkAsync(HttpMethod.Put, $"{tenant.Base}/me/presence", new { presence = "online" });
        var flow = await tenant.PublishOnlineSampleAsync(products, business);
        var site = await tenant.Admin.PostOkAsync($"{tenant.Base}/channels", new { kind = "website", name = "官网", domain = "shop.example.com", flowId = flow, webhookUrl = "https://gateway.example/engine" });
        var (key, token) = ((string)site["channel"]!["channelKey"]!, (string)site["token"]!);

        // Two customers choose 产品咨询; its one agent (cap 1) is offered the first, the second waits with nobody ahead.
        foreach (var customer in new[] { "first", "second" })
        {
            await EventAsync(key, token, new { type = "message", customerId = customer, text = "你好" });
            await EventAsync(key, token, new { type = "message", customerId = customer, text = "1" });
        }
        var first = (string)(await EventAsync(key, token, new { type = "message", customerId = "first", text = "在吗" }))["conversationId"]!;
        await agent.PostOkAsync($"{tenant.Base}/conversations/{first}/answer");
        await factory.AdvanceAsync(TimeSpan.Zero);
        var connected = await EventAsync(key, token, new { type = "message", customerId = "first", text = "我想问价格" });
        Assert.Equal(("connected", "小王", staffNo), ((string)connected["status"]!, (string)connected["agent"]!["nickname"]!, (string)connected["agent"]!["staffNo"]!));

        // The agent writes: pushed as the agent's, with its number; the customer stays silent for the End's 60 s.
        var seq = (long)(await agent.PostOkAsync($"{tenant.Base}/conversations/{first}/messages", new { text = "您好，价格表请看官网" }))["seq"]!;
        await factory.AdvanceAsync(TimeSpan.FromSeconds(60));
        Assert.Equal("Ended", (string)(await tenant.Admin.GetOkAsync($"{tenant.Base}/conversations/{first}"))["status"]!);
        await agent.PostOkAsync($"{tenant.Base}/conversations/{first}/complete");
        await factory.AdvanceAsync(TimeSpan.Zero);

        await Dispatcher.DeliverDueAsync(default);
        var pushes = factory.Gateway.Received.Select(r => JsonNode.Parse(r.Body)!).Where(p => (string)p["customerId"]! is "first" or "second").ToList();
        var firsts = pushes.Where(p => (string)p["customerId"]! == "first").ToList();
        var success = Assert.Single(firsts, p => (string)p["status"]! == "connected" && Texts(p.ToJsonString()).SequenceEqual([$"客服 {staffNo} 为您服务"]));
        Assert.Equal("小王", (string)success["agent"]!["nickname"]!);
        var words = Assert.Single(firsts, p => p["replies"]!.AsArray().Any(r => (string)r!["from"]! == "agent"))["replies"]![0]!;
        Assert.Equal(("您好，价格表请看官网", seq), ((string)words["text"]!, (long)words["seq"]!));
        // Made in the same millisecond (the clock stood still), the agent's words and the end still arrive in the order made.
        var ended = firsts[^1];
        Assert.Equal(("ended", "customerReplyTimeout"), ((string)ended["status"]!, (string)ended["endReason"]!));
        Assert.Equal(["您已 60 秒未回复，本次会话结束，欢迎再来"], Texts(ended.ToJsonString()));

        // The agent free again, the second customer is offered; while it waited it was told its place (RT-6).
        var seconds = pushes.Where(p => (string)p["customerId"]! == "second").ToList();
        Assert.Contains(seconds, p => (string)p["status"]! == "queued" && (int)p["position"]! == 0 && Texts(p.ToJsonString()).SequenceEqual(["客服正忙，您前面还有 0 位，请稍候"]));
        var secondConversation = (string)seconds[0]["conversationId"]!;
        var sequences = factory.Gateway.Sequences.Where(p => (string)JsonNode.Parse(p.Body)!["conversationId"]! is var id && pushes.Any(q => (string)q["conversationId"]! == id)).Select(p => p.Sequence).ToList();
        Assert.Equal(pushes.Count, sequences.Count);
        Assert.Equal(sequences.Order(), sequences);
        Assert.Equal("Offered", (string)(await tenant.Admin.GetOkAsync($"{tenant.Base}/conversations/{secondConversation}"))["status"]!);
    }

    private static string[] Texts(string body) => [.. JsonNode.Parse(body)!["replies"]!.AsArray().Select(r => (string)r!["text"]!)];

    /// <summary>Delivers what is due; the gateway then has received <paramref name="count"/> pushes in all.</summary>
    private async Task DeliveredAsync(int count)
    {
        await Dispatcher.DeliverDueAsync(default);
        Assert.Equal(count, factory.Gateway.Received.Count);
    }
}
