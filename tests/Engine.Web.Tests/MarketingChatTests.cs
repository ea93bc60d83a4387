using System.Text.Json;
using System.Threading.Channels;
using Engine.Web.Tests.Support;
using Microsoft.AspNetCore.SignalR.Client;

namespace Engine.Web.Tests;

/// <summary>
/// A marketing account's chat through its test link (MK-4, MK-5, MK-6), on the real Kestrel server with the .NET SignalR
/// client and the server's fake clock: the welcome with its menu, the robot outside reception hours and the hand-off when
/// they begin, "all hours" overflow to the robot and back, the queue, no-agent and end prompts, and the auto end.
/// </summary>
public sealed class MarketingChatTests(MarketingChatTests.Server factory) : IClassFixture<MarketingChatTests.Server>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    /// <summary>From Monday 2026-12-07 07:00 UTC: 15:00 in Shanghai.</summary>
    public sealed class Server() : FakeClockServer(new DateTimeOffset(2026, 12, 7, 7, 0, 0, TimeSpan.Zero));

    private sealed record Shop(TestTenant Tenant, string AccountId, string Key, string AgentId, ApiClient Agent) : IDisposable
    {
        public void Dispose()
        {
            Agent.Dispose();
            Tenant.Dispose();
        }
    }

    /// <summary>An account with one agent on its staff (online unless told), its FAQ holding an invoice entry.</summary>
    private async Task<Shop> ShopAsync(object settings, bool online = true)
    {
        _ = factory.Address;
        var tenant = await TestTenant.CreateAsync(factory);
        var (agentId, _, _, token) = await tenant.AddAgentAsync();
        var agent = ApiClient.Bearer(factory, token);
        if (online) await agent.OkAsync(HttpMethod.Put, $"{tenant.Base}/me/presence", new { presence = "online" });
        var body = System.Text.Json.Nodes.JsonNode.Parse(JsonSerializer.Serialize(settings))!.AsObject();
        body["name"] = "旗舰店";
        var account = await tenant.Admin.PostOkAsync($"{tenant.Base}/marketing-accounts", body);
        var id = (string)account["id"]!;
        await tenant.Admin.OkAsync(HttpMethod.Put, $"{tenant.Base}/marketing-accounts/{id}/staff", new { agentIds = new[] { agentId } });
        await tenant.Admin.PostOkAsync($"{tenant.Base}/faq", new { category = "发票", question = "怎么开发票", similarQuestions = new[] { "发票在哪里申请", "能开发票吗" }, answer = "在「我的订单」里点「申请开票」，填写抬头和税号即可。" });
        var key = new Uri((string)account["testLink"]!).AbsolutePath["/chat/".Length..];
        return new Shop(tenant, id, key, agentId, agent);
    }

    private async Task<(HubConnection Hub, Channel<JsonElement> Replies)> VisitAsync(string key)
    {
        var hub = new HubConnectionBuilder().WithUrl(new Uri(factory.Address, $"/hubs/visitor?channel={key}&visitor={Guid.NewGuid():N}")).Build();
        var replies = Channel.CreateUnbounded<JsonElement>();
        hub.On<JsonElement>("reply", r => replies.Writer.TryWrite(r));
        await hub.StartAsync();
        return (hub, replies);
    }

    private static async Task<JsonElement> NextAsync(Channel<JsonElement> replies) => await replies.Reader.ReadAsync().AsTask().WaitAsync(Patience);

    /// <summary>What is next said to the visitor (pushes that only move the conversation are passed by).</summary>
    private static async Task<(string From, string Text)[]> NextSaidAsync(Channel<JsonElement> replies)
    {
        while (true)
            if (Said(await NextAsync(replies)) is { Length: > 0 } said) return said;
    }

    /// <summary>The first push that finds the conversation at <paramref name="status"/>.</summary>
    private static async Task<JsonElement> UntilAsync(Channel<JsonElement> replies, string status)
    {
        while (true)
            if (await NextAsync(replies) is var push && push.GetProperty("status").GetString() == status) return push;
    }

    private static (string From, string Text)[] Said(JsonElement push)
        => [.. push.GetProperty("replies").EnumerateArray().Select(r => (r.GetProperty("from").GetString()!, r.GetProperty("text").GetString()!))];

    private static readonly object WelcomeAndPrompts = new
    {
        prompts = new
        {
            welcome = new { enabled = true, text = "欢迎光临旗舰店！", menu = new[] { "课程咨询", "开发票" } },
            queue = new { enabled = true, text = "您前面还有${WaitNo}位" },
            noAgent = new { enabled = true, text = "客服暂时不在，请留言" },
            end = new { enabled = true, text = "感谢咨询，再见" },
        },
    };

    [Fact]
    public async Task MK4_MK5_Outside_hours_the_robot_answers_after_the_welcome_and_hands_the_visitor_to_staff_when_hours_begin()
    {
        // Reception begins an hour from now in Shanghai (the class's tests share the clock) and runs over midnight.
        var opening = factory.FakeClock.GetUtcNow().ToOffset(TimeSpan.FromHours(8)).AddHours(1);
        opening = opening.AddSeconds(-opening.Second).AddMilliseconds(-opening.Millisecond).AddMicroseconds(-opening.Microsecond);
        using var shop = await ShopAsync(new
        {
            hours = new[] { new { day = opening.DayOfWeek.ToString().ToLowerInvariant(), from = opening.ToString("HH:mm"), to = opening.AddHours(-2).ToString("HH:mm") } },
            prompts = ((dynamic)WelcomeAndPrompts).prompts,
        });
        var (hub, replies) = await VisitAsync(shop.Key);
        await using var _ = hub;

        var first = await hub.InvokeAsync<JsonElement>("Send", "在吗");
        Assert.Equal("withRobot", first.GetProperty("status").GetString());
        var welcome = await NextSaidAsync(replies);
        Assert.Equal([("flow", "欢迎光临旗舰店！\n1. 课程咨询\n2. 开发票"), ("flow", "客服暂时不在，请留言")], welcome);
        // The first words were a question too; the robot does not know this one, and says staff come when hours begin.
        Assert.Equal("robot", (await NextSaidAsync(replies))[0].From);

        // A menu pick by its number is its item's text, which the FAQ answers.
        await hub.InvokeAsync<JsonElement>("Send", "2");
        Assert.Equal([("robot", "在「我的订单」里点「申请开票」，填写抬头和税号即可。")], await NextSaidAsync(replies));
        await hub.InvokeAsync<JsonElement>("Send", "今天天气怎么样");
        Assert.Equal([("robot", Engine.Marketing.RobotReplies.NotSureOffHours)], await NextSaidAsync(replies));

        // The hours begin: the run hands the visitor to the account's staff, who are offered the conversation.
        await factory.AdvanceAsync(opening - factory.FakeClock.GetUtcNow() - TimeSpan.FromSeconds(1));
        Assert.Equal("withRobot", (await hub.InvokeAsync<JsonElement>("Resync", 0L)).GetProperty("now").GetProperty("status").GetString());
        await factory.AdvanceAsync(TimeSpan.FromSeconds(1));
        var conversationId = first.GetProperty("conversationId").GetString()!;
        var conversation = await shop.Agent.GetOkAsync($"{shop.Tenant.Base}/conversations/{conversationId}");
        Assert.Equal(("Offered", shop.AgentId), ((string)conversation["status"]!, (string)conversation["agentId"]!));
        await shop.Agent.PostOkAsync($"{shop.Tenant.Base}/conversations/{conversationId}/answer");
        await UntilAsync(replies, "connected");
    }

    [Fact]
    public async Task MK4_In_all_hours_mode_the_robot_answers_while_staff_are_at_their_cap_and_a_freed_place_takes_the_visitor()
    {
        using var shop = await ShopAsync(new { robot = "allHours", rule = new { cap = 1 }, prompts = new { welcome = new { enabled = false }, noAgent = new { silentWhileStaffOnline = true } } });
        var (firstHub, firstReplies) = await VisitAsync(shop.Key);
        await using var _ = firstHub;
        var first = await firstHub.InvokeAsync<JsonElement>("Send", "你好");
        var firstId = first.GetProperty("conversationId").GetString()!;
        await shop.Agent.PostOkAsync($"{shop.Tenant.Base}/conversations/{firstId}/answer");

        // The only staff member is at their cap of 1: the next visitor waits, and the robot answers meanwhile.
        var (hub, replies) = await VisitAsync(shop.Key);
        await using var __ = hub;
        var waiting = await hub.InvokeAsync<JsonElement>("Send", "发票在哪申请呀");
        Assert.Equal("queued", waiting.GetProperty("status").GetString());
        var answered = await NextSaidAsync(replies);
        // Silent while staff are online: no no-agent prompt, only the robot's answer.
        Assert.Equal([("robot", "在「我的订单」里点「申请开票」，填写抬头和税号即可。")], answered);
        await hub.InvokeAsync<JsonElement>("Send", "你们的老师是哪里毕业的");
        Assert.Equal([("robot", Engine.Marketing.RobotReplies.NotSureQueued)], await NextSaidAsync(replies));

        // The agent finishes the first chat: the waiting visitor is offered to them at once, and the robot stops.
        await shop.Agent.PostOkAsync($"{shop.Tenant.Base}/conversations/{firstId}/end");
        await shop.Agent.PostOkAsync($"{shop.Tenant.Base}/conversations/{firstId}/complete");
        var secondId = waiting.GetProperty("conversationId").GetString()!;
        Assert.True(await Engine.Driver.ContactCenter.EventuallyAsync(
            async () => (string?)(await shop.Tenant.Admin.GetOkAsync($"{shop.Tenant.Base}/conversations/{secondId}"))["status"] == "Offered", Patience, CancellationToken.None));
        await shop.Agent.PostOkAsync($"{shop.Tenant.Base}/conversations/{secondId}/answer");
        await UntilAsync(replies, "connected");
        await hub.InvokeAsync<JsonElement>("Send", "好的");
        var messages = await shop.Agent.GetOkAsync($"{shop.Tenant.Base}/conversations/{secondId}/messages");
        Assert.Equal(["发票在哪申请呀", "你们的老师是哪里毕业的", "好的"], messages.AsArray().Select(m => (string)m!["content"]!));
    }

    [Fact]
    public async Task MK5_The_queue_and_no_agent_prompts_come_when_nobody_can_take_the_visitor_and_the_end_prompt_when_the_chat_ends()
    {
        using var shop = await ShopAsync(WelcomeAndPrompts, online: false);
        var (hub, replies) = await VisitAsync(shop.Key);
        await using var _ = hub;
        var sent = await hub.InvokeAsync<JsonElement>("Send", "1");
        // Nobody online: the conversation waits in the account's queue, and the no-agent prompt says so.
        Assert.Equal("queued", sent.GetProperty("status").GetString());
        Assert.Equal([("flow", "欢迎光临旗舰店！\n1. 课程咨询\n2. 开发票"), ("flow", "客服暂时不在，请留言")], await NextSaidAsync(replies));

        // The agent comes online and takes it; the menu pick reached them as its item's text.
        await shop.Agent.OkAsync(HttpMethod.Put, $"{shop.Tenant.Base}/me/presence", new { presence = "online" });
        var id = sent.GetProperty("conversationId").GetString()!;
        Assert.True(await Engine.Driver.ContactCenter.EventuallyAsync(
            async () => (string?)(await shop.Tenant.Admin.GetOkAsync($"{shop.Tenant.Base}/conversations/{id}"))["status"] == "Offered", Patience, CancellationToken.None));
        await shop.Agent.PostOkAsync($"{shop.Tenant.Base}/conversations/{id}/answer");
        Assert.Equal("课程咨询", (string)(await shop.Agent.GetOkAsync($"{shop.Tenant.Base}/conversations/{id}/messages"))[0]!["content"]!);

        // With a cap of 1 the agent is full: the next visitor queues, hears the place, and (not silent) the no-agent prompt.
        await shop.Tenant.Admin.OkAsync(HttpMethod.Patch, $"{shop.Tenant.Base}/marketing-accounts/{shop.AccountId}", new { rule = new { cap = 1 } });
        var (other, otherReplies) = await VisitAsync(shop.Key);
        await using var __ = other;
        await other.InvokeAsync<JsonElement>("Send", "有人吗");
        var queued = await NextSaidAsync(otherReplies);
        Assert.Contains(("flow", "您前面还有0位"), queued);
        Assert.Contains(("flow", "客服暂时不在，请留言"), queued);

        // The agent ends the first chat: the end-of-chat prompt.
        await shop.Agent.PostOkAsync($"{shop.Tenant.Base}/conversations/{id}/end");
        Assert.Contains(("flow", "感谢咨询，再见"), Said(await UntilAsync(replies, "ended")));
    }

    [Fact]
    public async Task MK3_A_chat_the_customer_does_not_answer_ends_by_itself_after_the_auto_end_time_with_the_end_prompt()
    {
        using var shop = await ShopAsync(new { rule = new { autoEndSeconds = 48 * 3600 }, prompts = new { welcome = new { enabled = false }, end = new { enabled = true, text = "会话超时结束" } } });
        var (hub, replies) = await VisitAsync(shop.Key);
        await using var _ = hub;
        var id = (await hub.InvokeAsync<JsonElement>("Send", "你好")).GetProperty("conversationId").GetString()!;
        await shop.Agent.PostOkAsync($"{shop.Tenant.Base}/conversations/{id}/answer");
        await shop.Agent.PostOkAsync($"{shop.Tenant.Base}/conversations/{id}/messages", new { text = "请问还在吗？" });

        await factory.AdvanceAsync(TimeSpan.FromHours(47));
        Assert.Equal("Active", (string)(await shop.Agent.GetOkAsync($"{shop.Tenant.Base}/conversations/{id}"))["status"]!);
        await factory.AdvanceAsync(TimeSpan.FromHours(1));
        Assert.Equal("Ended", (string)(await shop.Agent.GetOkAsync($"{shop.Tenant.Base}/conversations/{id}"))["status"]!);
        Assert.Contains(("flow", "会话超时结束"), Said(await UntilAsync(replies, "ended")));
    }

    [Fact]
    public async Task DB1_A_completed_chat_reaches_the_dashboard_by_itself_once_the_roll_up_interval_has_passed()
    {
        using var shop = await ShopAsync(new { prompts = new { welcome = new { enabled = false } } });
        var (hub, _) = await VisitAsync(shop.Key);
        await using var _ = hub;
        var id = (await hub.InvokeAsync<JsonElement>("Send", "你好")).GetProperty("conversationId").GetString()!;
        foreach (var step in new[] { "answer", "end", "complete" })
            await shop.Agent.PostOkAsync($"{shop.Tenant.Base}/conversations/{id}/{step}");

        // No test calls the roll-up here: the server's own service does, on its clock.
        await factory.AdvanceAsync(Engine.Web.Admin.DashboardRollupService.Interval);
        Assert.True(await Engine.Driver.ContactCenter.EventuallyAsync(
            async () => (long)(await shop.Tenant.Admin.GetOkAsync($"{shop.Tenant.Base}/dashboard?period=today"))["figures"]!["conversations"]! == 1,
            Patience, CancellationToken.None));
    }
}
