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
