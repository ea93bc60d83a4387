using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Engine.Flows;
using Engine.Web.Admin;
using Engine.Web.Tests.Support;
using Microsoft.AspNetCore.SignalR.Client;

namespace Engine.Web.Tests;

/// <summary>
/// The web chat's hub on the real Kestrel server with the .NET SignalR client: a website channel's visitor runs its
/// flow, is handed to the group, and hears the agent connect and write, pushed through the visitor's grain.
/// </summary>
public sealed class VisitorHubTests(KestrelEngineFactory factory) : IClassFixture<KestrelEngineFactory>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    private sealed record Site(TestTenant Tenant, string Key, string AgentId, string AgentToken, string StaffNo);

    private async Task<Site> SiteAsync()
    {
        var tenant = await TestTenant.CreateAsync(factory);
        var products = await tenant.AddGroupAsync(name: "产品咨询");
        var business = await tenant.AddGroupAsync(name: "商务合作");
        var (agentId, _, _, agentToken) = await tenant.AddAgentAsync([products]);
        var staffNo = (string)(await tenant.Admin.OkAsync(HttpMethod.Patch, $"{tenant.Base}/agents/{agentId}", new { nickname = "小王" }))["staffNo"]!;
        using (var agent = ApiClient.Bearer(factory, agentToken))
            await agent.OkAsync(HttpMethod.Put, $"{tenant.Base}/me/presence", new { presence = "online" });
        var key = await tenant.WebChatSiteAsync(products, business);
        return new Site(tenant, key, agentId, agentToken, staffNo);
    }

    private static async Task<(HubConnection Hub, Channel<JsonElement> Replies)> ChatAsync(Uri server, string key, string visitorId, string? origin = null)
    {
        var hub = new HubConnectionBuilder().WithUrl(new Uri(server, $"/hubs/visitor?channel={Uri.EscapeDataString(key)}&visitor={Uri.EscapeDataString(visitorId)}"), o =>
        {
            if (origin is not null) o.Headers["Origin"] = origin;
        }).Build();
        var replies = Channel.CreateUnbounded<JsonElement>();
        hub.On<JsonElement>("reply", r => replies.Writer.TryWrite(r));
        await hub.StartAsync();
        return (hub, replies);
    }

    private static async Task<JsonElement> NextAsync(Channel<JsonElement> replies) => await replies.Reader.ReadAsync().AsTask().WaitAsync(Patience);

    private static string[] Texts(JsonElement reply) => [.. reply.GetProperty("replies").EnumerateArray().Select(r => r.GetProperty("text").GetString()!)];

    [Fact]
    public async Task FL1_FL4_A_web_chat_visitor_runs_the_flow_and_hears_the_agent_connect_and_write()
    {
        var address = factory.Address;
        var site = await SiteAsync();
        using var _ = site.Tenant;
        var (hub, replies) = await ChatAsync(address, site.Key, "browser-visitor-1");
        await using var disposeHub = hub;

        var greeted = await hub.InvokeAsync<JsonElement>("Send", "你好");
        Assert.Equal("inFlow", greeted.GetProperty("status").GetString());
        Assert.Equal(["您好，欢迎光临！", "请回复数字选择业务：1 产品咨询；2 商务合作"], Texts(await NextAsync(replies)));
        var chosen = await hub.InvokeAsync<JsonElement>("Send", "1");
        var conversationId = chosen.GetProperty("conversationId").GetString()!;
        Assert.Equal(greeted.GetProperty("conversationId").GetString(), conversationId);

        using var agent = ApiClient.Bearer(factory, site.AgentToken);
        await agent.PostOkAsync($"{site.Tenant.Base}/conversations/{conversationId}/answer");
        var connected = await NextAsync(replies);
        Assert.Equal(("connected", "小王", site.StaffNo), (connected.GetProperty("status").GetString(), connected.GetProperty("agent").GetProperty("nickname").GetString(), connected.GetProperty("agent").GetProperty("staffNo").GetString()));
        Assert.Equal([$"客服 {site.StaffNo} 为您服务"], Texts(connected));

        // The visitor's words reach the agent; the agent's reach the visitor.
        await hub.InvokeAsync<JsonElement>("Send", "想了解价格");
        var messages = await agent.GetOkAsync($"{site.Tenant.Base}/conversations/{conversationId}/messages");
        Assert.Contains(messages.AsArray(), m => (string)m!["content"]! == "想了解价格");
        await agent.PostOkAsync($"{site.Tenant.Base}/conversations/{conversationId}/messages", new { text = "价格表请看官网" });
        var words = (await NextAsync(replies)).GetProperty("replies")[0];
        Assert.Equal(("价格表请看官网", "agent"), (words.GetProperty("text").GetString(), words.GetProperty("from").GetString()));
    }

    [Fact]
    public async Task A_returning_visitor_on_a_second_connection_is_in_the_same_conversation_and_hears_it_too()
    {
        var address = factory.Address;
        var site = await SiteAsync();
        using var _ = site.Tenant;
        var (first, _) = await ChatAsync(address, site.Key, "browser-visitor-2");
        await using var disposeFirst = first;
        var opened = await first.InvokeAsync<JsonElement>("Send", "你好");
        var (second, secondReplies) = await ChatAsync(address, site.Key, "browser-visitor-2");
        await using var disposeSecond = second;

        var answered = await second.InvokeAsync<JsonElement>("Send", "随便");
        Assert.Equal(opened.GetProperty("conversationId").GetString(), answered.GetProperty("conversationId").GetString());
        Assert.Equal(["抱歉没有听懂，请回复 1 或 2"], Texts(await NextAsync(secondReplies)));
    }

    [Theory]
    [InlineData("no-such-channel-key", "browser-visitor-3", "channel: no website channel has this key.")]
    [InlineData(null, "short", "visitor: 16–64 letters")]
    [InlineData(null, "has spaces in it", "visitor: 16–64 letters")]
    public async Task A_connection_without_a_website_channel_or_with_a_bad_visitor_id_is_refused_with_the_reason(string? key, string visitorId, string reason)
    {
        var address = factory.Address;
        var site = await SiteAsync();
        using var _ = site.Tenant;
        var hub = new HubConnectionBuilder().WithUrl(new Uri(address, $"/hubs/visitor?channel={Uri.EscapeDataString(key ?? site.Key)}&visitor={Uri.EscapeDataString(visitorId)}")).Build();
        await using var disposeHub = hub;
        var closed = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        hub.Closed += e =>
        {
            closed.TrySetResult(e);
            return Task.CompletedTask;
        };
        // The server closes a refused connection before it takes any call, with the reason.
        var refused = await Record.ExceptionAsync(async () =>
        {
            await hub.StartAsync();
            await hub.InvokeAsync<JsonElement>("Send", "你好");
        });
        Assert.NotNull(refused);
        var error = await closed.Task.WaitAsync(Patience);
        Assert.Contains(reason, error?.Message ?? "", StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://shop.example.com", true)]
    [InlineData("http://SHOP.example.com:8080", true)]
    [InlineData("https://evil.example", false)]
    [InlineData("https://shop.example.com.evil.example", false)]
    public async Task The_chat_connects_from_the_channels_website_and_from_no_other_origin(string origin, bool allowed)
    {
        var address = factory.Address;
        var site = await SiteAsync();
        using var _ = site.Tenant;
        var outcome = await Record.ExceptionAsync(async () =>
        {
            var (hub, _) = await ChatAsync(address, site.Key, "browser-visitor-origin", origin);
            await using var disposeHub = hub;
            await hub.InvokeAsync<JsonElement>("Send", "你好");
        });
        Assert.Equal(allowed, outcome is null);
    }

    [Fact]
    public async Task A_chat_that_reconnects_gets_what_it_missed_since_its_last_number_once_and_a_new_page_gets_everything()
    {
        var address = factory.Address;
        var site = await SiteAsync();
        using var _ = site.Tenant;
        var (hub, replies) = await ChatAsync(address, site.Key, "browser-visitor-resync");
        await hub.InvokeAsync<JsonElement>("Send", "你好");
        var conversationId = (await hub.InvokeAsync<JsonElement>("Send", "1")).GetProperty("conversationId").GetString()!;
        using var agent = ApiClient.Bearer(factory, site.AgentToken);
        await agent.PostOkAsync($"{site.Tenant.Base}/conversations/{conversationId}/answer");
        var own = await hub.InvokeAsync<JsonElement>("Send", "在吗");
        Assert.Equal(1L, own.GetProperty("seq").GetInt64());
        await agent.PostOkAsync($"{site.Tenant.Base}/conversations/{conversationId}/messages", new { text = "在的" });
        long lastSeen = 0;
        while (lastSeen < 2)
        {
            foreach (var r in (await NextAsync(replies)).GetProperty("replies").EnumerateArray())
                if (r.TryGetProperty("seq", out var seq) && seq.ValueKind == JsonValueKind.Number) lastSeen = seq.GetInt64();
        }

        // The chat drops; the agent goes on writing; the same browser comes back and asks for what came after number 2.
        await hub.DisposeAsync();
        await agent.PostOkAsync($"{site.Tenant.Base}/conversations/{conversationId}/messages", new { text = "价格表在这里" });
        await agent.PostOkAsync($"{site.Tenant.Base}/conversations/{conversationId}/messages", new { text = "还有问题吗" });
        var (again, _) = await ChatAsync(address, site.Key, "browser-visitor-resync");
        await using var disposeAgain = again;
        var state = await again.InvokeAsync<JsonElement>("Resync", lastSeen);
        Assert.Equal(["3 agent 价格表在这里", "4 agent 还有问题吗"], Lines(state));
        var now = state.GetProperty("now");
        Assert.Equal(("connected", conversationId, site.StaffNo), (now.GetProperty("status").GetString(), now.GetProperty("conversationId").GetString(), now.GetProperty("agent").GetProperty("staffNo").GetString()));

        // A page loaded afresh asks from 0: the whole conversation with the agent, the visitor's words too.
        Assert.Equal(["1 visitor 在吗", "2 agent 在的", "3 agent 价格表在这里", "4 agent 还有问题吗"], Lines(await again.InvokeAsync<JsonElement>("Resync", 0L)));

        // Another browser (another visitor id) has no conversation to resync.
        var (stranger, _) = await ChatAsync(address, site.Key, "browser-visitor-stranger");
        await using var disposeStranger = stranger;
        var none = await stranger.InvokeAsync<JsonElement>("Resync", 0L);
        Assert.Equal((JsonValueKind.Null, 0), (none.GetProperty("now").ValueKind, none.GetProperty("messages").GetArrayLength()));
    }

    private static string[] Lines(JsonElement state)
        => [.. state.GetProperty("messages").EnumerateArray().Select(m => $"{m.GetProperty("seq").GetInt64()} {m.GetProperty("from").GetString()} {m.GetProperty("content").GetString()}")];

    /// <summary>A server that lets an address make four requests a minute to the chat hub (two chat connections).</summary>
    public sealed class TightChatLimit : KestrelEngineFactory
    {
        protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string> { ["Engine:Chat:HubRequestsPerMinute"] = "4" };
    }

    [Fact]
    public async Task An_address_that_opens_chats_too_fast_is_refused_with_429_and_the_reason()
    {
        await using var server = new TightChatLimit();
        var address = server.Address;
        using var tenant = await TestTenant.CreateAsync(server);
        var site = await tenant.Admin.PostOkAsync($"{tenant.Base}/channels", new { kind = "website", name = "官网", domain = "shop.example.com" });
        var key = (string)site["channel"]!["channelKey"]!;
        for (var i = 0; i < 2; i++)
        {
            var (hub, _) = await ChatAsync(address, key, $"browser-visitor-limit-{i}");
            await hub.DisposeAsync();
        }
        using var http = new HttpClient { BaseAddress = address };
        var refused = await http.PostAsync($"/hubs/visitor/negotiate?negotiateVersion=1&channel={key}&visitor=browser-visitor-limit-9", null);
        Assert.Equal(System.Net.HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Contains("Too many chat connections from this address", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
