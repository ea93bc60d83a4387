using Engine.Flows;
using Engine.Grains.Routing;
using Engine.Routing;
using Engine.Tests.Flows;
using Engine.Tests.Persistence;

namespace Engine.Tests.Routing;

/// <summary>FlowInstanceGrain on a test cluster: the flow runs per conversation, transfers into the group's queue, and its deadlines survive a restart.</summary>
public sealed class FlowInstanceTests
{
    private static async Task<RoutingHost> HostAsync(Persistence.TestStore? store = null)
    {
        var host = await RoutingHost.StartOnAsync(store);
        host.Flows.Add(RoutingHost.Tenant, "online", 1, FlowSamples.Online.Definition);
        host.Flows.Add(RoutingHost.Tenant, "ivr", 1, FlowSamples.Ivr.Definition);
        await host.GroupAsync("g-products", ServiceMode.Online, 1, "a1");
        await host.GroupAsync("g-business", ServiceMode.Online, 1, "a2");
        await host.GroupAsync("g-hotline", ServiceMode.Phone, 1, "a3");
        return host;
    }

    private static IFlowInstanceGrain Flow(RoutingHost host, string conversationId) => host.Grains.FlowInstance(RoutingHost.Tenant, conversationId);

    [Fact]
    public async Task FL1_FL3_FL4_A_conversation_runs_its_flow_and_is_transferred_to_the_chosen_groups_agent()
    {
        await using var host = await HostAsync();
        await host.OnlineAsync("a1");
        var begun = await Flow(host, "c1").Begin(new FlowStart("online", 1, ServiceMode.Online, "visitor-1", "web"));
        Assert.Equal(["您好，欢迎光临！", "请回复数字选择业务：1 产品咨询；2 商务合作"], begun.Replies.Select(r => r.Text));
        Assert.Equal((FlowPhase.AwaitingInput, "menu"), (begun.Phase, begun.ModuleId));
        Assert.Null(await host.Conversation("c1").GetSnapshot());

        var wrong = await Flow(host, "c1").Customer(new CustomerInput("3", null));
        Assert.Equal(["抱歉没有听懂，请回复 1 或 2"], wrong.Replies.Select(r => r.Text));
        var chosen = await Flow(host, "c1").Customer(new CustomerInput("咨询", null));
        await host.IdleAsync();
        Assert.Equal(FlowPhase.Queued, chosen.Phase);
        var conversation = await host.ConversationAsync("c1");
        Assert.Equal(("g-products", "a1", Engine.Conversations.ConversationStatus.Offered, "visitor-1"), (conversation.GroupId, conversation.AgentId, conversation.Status, conversation.VisitorId));
    }

    [Fact]
    public async Task RT6_FL4_A_customer_waiting_behind_a_busy_agent_is_told_the_position()
    {
        await using var host = await HostAsync();
        await host.OnlineAsync("a1");
        await host.ArriveAsync("busy", "g-products");
        await host.ArriveAsync("waiting", "g-products");
        await Flow(host, "c2").Begin(new FlowStart("online", 1, ServiceMode.Online, "visitor-2", null));
        var queued = await Flow(host, "c2").Customer(new CustomerInput("1", null));
        // One conversation waits ahead of it (RT-6 counts those ahead: 0 = next).
        Assert.Equal(["客服正忙，您前面还有 1 位，请稍候"], queued.Replies.Select(r => r.Text));
        Assert.Equal((FlowPhase.Queued, 1), (queued.Phase, queued.WaitNo));
    }

    [Fact]
    public async Task FL4_With_no_agent_of_the_group_online_the_failure_message_ends_the_conversation_and_the_run()
    {
        await using var host = await HostAsync();
        await Flow(host, "c3").Begin(new FlowStart("online", 1, ServiceMode.Online, "visitor-3", null));
        var failed = await Flow(host, "c3").Customer(new CustomerInput("2", null));
        Assert.Equal(["抱歉，商务合作暂无客服在线，请稍后再来"], failed.Replies.Select(r => r.Text));
        Assert.Equal((FlowPhase.Ended, FlowEndReason.NoAgentOnline), (failed.Phase, failed.EndReason));
        Assert.Null(await Flow(host, "c3").GetOutcome());
        Assert.Null(await host.Conversation("c3").GetSnapshot());
        await Assert.ThrowsAsync<FlowNotRunningException>(() => Flow(host, "c3").Customer(new CustomerInput("1", null)).AsTask());
    }

    /// <summary>Begins a run on the "web" channel and answers its menu with <paramref name="choice"/>.</summary>
    private static async Task<FlowOutcome> TransferredAsync(RoutingHost host, string conversationId, string choice = "1")
    {
        await Flow(host, conversationId).Begin(new FlowStart("online", 1, ServiceMode.Online, "visitor-" + conversationId, "web"));
        var chosen = await Flow(host, conversationId).Customer(new CustomerInput(choice, null));
        await host.IdleAsync();
        return chosen;
    }

    [Fact]
    public async Task RT6_FL4_FL2_The_customer_hears_the_queue_move_then_the_agent_connect_with_their_staff_number_then_the_agents_words()
    {
        await using var host = await HostAsync();
        host.Agents.Add(RoutingHost.Tenant, "a1", "小王", "8001");
        await host.OnlineAsync("a1");
        await host.ArriveAsync("busy", "g-products");
        await host.ArriveAsync("waiting", "g-products");
        var queued = await TransferredAsync(host, "c1");
        Assert.Equal(["客服正忙，您前面还有 1 位，请稍候"], queued.Replies.Select(r => r.Text));

        // The agent serves the two ahead of it: each step forward is pushed to the channel (RT-6), once.
        await host.AnswerAsync("busy", "a1");
        await host.EndAsync("busy", "a1");
        await host.CompleteAsync("busy", "a1");
        Assert.Equal("客服正忙，您前面还有 0 位，请稍候", host.Pushes.TextsOf("c1")[^1]);
        await host.AnswerAsync("waiting", "a1");
        await host.EndAsync("waiting", "a1");
        await host.CompleteAsync("waiting", "a1");
        Assert.Equal(("c1", Engine.Conversations.ConversationStatus.Offered), ((await host.ConversationAsync("c1")).Id, (await host.ConversationAsync("c1")).Status));

        await host.AnswerAsync("c1", "a1");
        var connected = (await Flow(host, "c1").GetOutcome())!;
        Assert.Equal((FlowPhase.Connected, new AgentCard("a1", "小王", "8001")), (connected.Phase, connected.Agent));
        var appended = await host.Conversation("c1").AppendMessage(Engine.Conversations.MessageSender.Agent, "a1", "text", "您好，请问有什么可以帮您？", "m1");
        await host.IdleAsync();

        var pushes = host.Pushes.All.Where(p => p.Outcome.ConversationId == "c1").ToList();
        Assert.All(pushes, p => Assert.Equal(("web", "visitor-c1"), (p.ChannelId, p.VisitorId)));
        Assert.Equal(
            ["客服正忙，您前面还有 1 位，请稍候", "客服正忙，您前面还有 0 位，请稍候", "客服 8001 为您服务", "您好，请问有什么可以帮您？"],
            pushes.SelectMany(p => p.Outcome.Replies).Select(r => r.Text).Where(t => !t!.StartsWith("您好，欢迎", StringComparison.Ordinal) && !t.StartsWith("请回复", StringComparison.Ordinal)));
        var agentsWords = pushes[^1].Outcome.Replies.Single();
        Assert.Equal((FlowReply.FromAgent, appended.Seq, "text"), (agentsWords.From, agentsWords.Seq, agentsWords.Kind));
        Assert.Equal(new AgentCard("a1", "小王", "8001"), pushes[^1].Outcome.Agent);
    }

    [Fact]
    public async Task FL5_No_reply_within_the_Ends_timeout_after_an_agents_message_ends_the_conversation_with_the_timeout_message()
    {
        await using var host = await HostAsync();
        host.Agents.Add(RoutingHost.Tenant, "a1", "小王", "8001");
        await host.OnlineAsync("a1");
        await TransferredAsync(host, "c1");
        await host.AnswerAsync("c1", "a1");
        var conversation = host.Conversation("c1");

        // The customer answers within the sample End's 60 s: the conversation goes on.
        await conversation.AppendMessage(Engine.Conversations.MessageSender.Agent, "a1", "text", "请问有什么可以帮您？", null);
        await host.AdvanceAsync(TimeSpan.FromSeconds(59));
        var answered = await Flow(host, "c1").CustomerInConversation(new CustomerInput("想了解价格", null));
        Assert.True(answered.Handled);
        await host.AdvanceAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(Engine.Conversations.ConversationStatus.Active, (await host.ConversationAsync("c1")).Status);

        // The agent writes again and the customer stays silent for the whole timeout.
        await conversation.AppendMessage(Engine.Conversations.MessageSender.Agent, "a1", "text", "价格表已发您", null);
        await host.AdvanceAsync(TimeSpan.FromSeconds(59));
        Assert.Equal(Engine.Conversations.ConversationStatus.Active, (await host.ConversationAsync("c1")).Status);
        await host.AdvanceAsync(TimeSpan.FromSeconds(1));
        var ended = await host.ConversationAsync("c1");
        Assert.Equal((Engine.Conversations.ConversationStatus.Ended, Engine.Conversations.EndReason.CustomerReplyTimeout), (ended.Status, ended.EndReason));
        var last = host.Pushes.All.Last(p => p.Outcome.ConversationId == "c1").Outcome;
        Assert.Equal((FlowPhase.Ended, FlowEndReason.CustomerReplyTimeout), (last.Phase, last.EndReason));
        Assert.Equal(["您已 60 秒未回复，本次会话结束，欢迎再来"], last.Replies.Select(r => r.Text));
        Assert.Null(await Flow(host, "c1").GetOutcome());
    }

    [Fact]
    public async Task FL5_The_agent_ending_the_conversation_sends_the_Ends_message_and_the_run_ends()
    {
        await using var host = await HostAsync();
        await host.OnlineAsync("a2");
        await TransferredAsync(host, "c1", choice: "合作");
        await host.AnswerAsync("c1", "a2");
        // An agent the directory does not know: connected all the same, with an empty staff number.
        Assert.Equal("客服  为您服务", host.Pushes.TextsOf("c1")[^1]);
        await host.EndAsync("c1", "a2");

        var last = host.Pushes.All.Last(p => p.Outcome.ConversationId == "c1").Outcome;
        Assert.Equal((FlowPhase.Ended, FlowEndReason.AgentEnded), (last.Phase, last.EndReason));
        Assert.Equal(["感谢您的咨询，再见"], last.Replies.Select(r => r.Text));
        Assert.Null(await Flow(host, "c1").GetOutcome());
        // The agent completes it as any other; the ended run hears nothing more.
        await host.CompleteAsync("c1", "a2");
        Assert.Single(host.Pushes.All, p => p.Outcome.ConversationId == "c1" && p.Outcome.Phase == FlowPhase.Ended);
    }

    [Fact]
    public async Task RT6_FL4_An_agent_forced_offline_mid_chat_puts_the_customer_back_in_the_queue_told_its_place_until_another_agent_connects()
    {
        await using var host = await HostAsync();
        host.Agents.Add(RoutingHost.Tenant, "a1", "小王", "8001");
        host.Agents.Add(RoutingHost.Tenant, "a4", "小李", "8004");
        await host.Group("g-products").AddMember("a4");
        await host.OnlineAsync("a1");
        await TransferredAsync(host, "c1");
        await host.AnswerAsync("c1", "a1");
        await host.Agent("a1").GoOffline(force: true);
        await host.IdleAsync();

        // Nobody else online: the customer waits at the front again, and is told so (RT-6).
        var waiting = (await Flow(host, "c1").GetOutcome())!;
        Assert.Equal((FlowPhase.Queued, 0, null), (waiting.Phase, waiting.WaitNo, waiting.Agent));
        Assert.Equal("客服正忙，您前面还有 0 位，请稍候", host.Pushes.TextsOf("c1")[^1]);
        await host.OnlineAsync("a4");
        Assert.Equal("a4", await host.AgentOfAsync("c1"));
        await host.AnswerAsync("c1", "a4");

        Assert.Equal(["客服 8001 为您服务", "客服 8004 为您服务"], host.Pushes.TextsOf("c1").Where(t => t!.StartsWith("客服 8", StringComparison.Ordinal)));
        Assert.Equal(new AgentCard("a4", "小李", "8004"), (await Flow(host, "c1").GetOutcome())!.Agent);
    }

    [Theory]
    [InlineData("memory")]
    [InlineData("sqlite")]
    public async Task FL3_A_phone_branchs_timeouts_hang_up_the_call_also_across_a_restart(string store)
    {
        await using var database = await TestStore.ForAsync(store);
        var first = await HostAsync(database);
        var begun = await Flow(first, "call1").Begin(new FlowStart("ivr", 1, ServiceMode.Phone, "+8613800000000", "hotline"));
        Assert.Equal(["您好，欢迎致电。", "产品咨询请按 1，商务合作请按 2"], begun.Replies.Select(r => r.Text));
        await first.AdvanceAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(FlowPhase.AwaitingInput, (await Flow(first, "call1").GetOutcome())!.Phase);

        // The silo goes; the run wakes on the next from its stored state and keeps its deadline: the second and third
        // timeouts come without anyone calling it, and the third hangs up (most invalid inputs: 3).
        await first.DisposeAsync();
        await using var second = await RoutingHost.StartAsync(first.Store, first.Live, first.History, first.Clock, flows: first.Flows);
        await second.IdleAsync();
        await second.AdvanceAsync(TimeSpan.FromSeconds(10));
        await second.AdvanceAsync(TimeSpan.FromSeconds(10));
        Assert.Null(await Flow(second, "call1").GetOutcome());
    }
}
