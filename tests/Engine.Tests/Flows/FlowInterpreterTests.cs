using Engine.Flows;
using Engine.Routing;

namespace Engine.Tests.Flows;

/// <summary>The flow interpreter on the two samples: greetings, branches, transfers, the queue message (RT-6), the End's settings (FL-5).</summary>
public sealed class FlowInterpreterTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 2, 9, 0, 0, TimeSpan.Zero);

    private sealed class Run(FlowDocument flow)
    {
        public FlowState State { get; private set; } = FlowState.Initial;

        public IReadOnlyList<FlowEffect> Step(FlowEvent happened, DateTimeOffset? at = null)
        {
            var step = FlowInterpreter.Step(flow.Mode, flow.Definition, State, happened, at ?? T0);
            State = step.State;
            return step.Effects;
        }
    }

    [Fact]
    public void FL1_FL3_FL4_The_online_sample_greets_asks_and_transfers_on_a_keyword()
    {
        var run = new Run(FlowSamples.Online);
        Assert.Equal([new SendText("您好，欢迎光临！"), new SendText("请回复数字选择业务：1 产品咨询；2 商务合作")], run.Step(new Begin()));
        Assert.Equal((FlowPhase.AwaitingInput, "menu"), (run.State.Phase, run.State.ModuleId));
        Assert.Equal([new SendText("抱歉没有听懂，请回复 1 或 2")], run.Step(new CustomerSaid("3")));
        Assert.Equal(1, run.State.InvalidInputs);
        Assert.Equal([new Enqueue("g-business", TimeSpan.FromSeconds(60))], run.Step(new CustomerSaid(" 合作 ")));
        Assert.Equal((FlowPhase.Queued, "to-business", 0), (run.State.Phase, run.State.ModuleId, run.State.InvalidInputs));
    }

    [Fact]
    public void RT6_FL2_The_queue_message_names_the_position_and_is_sent_again_only_when_it_changes()
    {
        var run = new Run(FlowSamples.Online);
        run.Step(new Begin());
        run.Step(new CustomerSaid("１"));
        Assert.Equal([new SendText("客服正忙，您前面还有 3 位，请稍候")], run.Step(new QueuePosition(3)));
        Assert.Empty(run.Step(new QueuePosition(3)));
        Assert.Equal([new SendText("客服正忙，您前面还有 2 位，请稍候")], run.Step(new QueuePosition(2)));
        Assert.Equal([new SendText("客服 A007 为您服务")], run.Step(new AgentConnected("A007")));
        Assert.Equal((FlowPhase.Connected, "to-products"), (run.State.Phase, run.State.ModuleId));
        Assert.Empty(run.Step(new QueuePosition(1)));
    }

    [Fact]
    public void FL4_FL2_Another_agent_taking_over_sends_the_success_message_again_with_their_staff_number()
    {
        var run = new Run(FlowSamples.Online);
        run.Step(new Begin());
        run.Step(new CustomerSaid("1"));
        run.Step(new AgentConnected("A007"));
        Assert.Empty(run.Step(new AgentConnected("A007")));
        Assert.Equal([new SendText("客服 B002 为您服务")], run.Step(new AgentConnected("B002")));
        Assert.Equal(("B002", FlowPhase.Connected), (run.State.StaffNo, run.State.Phase));
    }

    [Fact]
    public void RT6_FL4_An_agent_taken_away_puts_the_customer_back_in_the_queue_told_its_position_until_the_next_agent_connects()
    {
        var run = new Run(FlowSamples.Online);
        run.Step(new Begin());
        run.Step(new CustomerSaid("1"));
        run.Step(new AgentConnected("A007"));
        Assert.Empty(run.Step(new AgentTakenAway()));
        Assert.Equal((FlowPhase.Queued, null, "to-products"), (run.State.Phase, run.State.StaffNo, run.State.ModuleId));
        Assert.Equal([new SendText("客服正忙，您前面还有 0 位，请稍候")], run.Step(new QueuePosition(0)));
        Assert.Equal([new SendText("客服 A007 为您服务")], run.Step(new AgentConnected("A007")));
    }

    [Fact]
    public void FL5_An_end_that_reaches_a_run_which_missed_its_connection_still_sends_the_Ends_message()
    {
        var run = new Run(FlowSamples.Online);
        run.Step(new Begin());
        run.Step(new CustomerSaid("1"));
        Assert.Equal([new SendText("感谢您的咨询，再见"), new EndConversation(FlowEndReason.AgentEnded)], run.Step(new AgentEnded()));
    }

    [Fact]
    public void FL5_The_transfer_carries_the_Ends_reply_timeout_and_its_passing_sends_the_timeout_message()
    {
        var run = new Run(FlowSamples.Online);
        run.Step(new Begin());
        // Not with a group yet: there is no conversation whose reply deadline could pass.
        Assert.False(FlowInterpreter.Step(ServiceMode.Online, FlowSamples.Online.Definition, run.State, new CustomerReplyTimedOut(), T0).Handled);
        Assert.Equal([new Enqueue("g-products", TimeSpan.FromSeconds(60))], run.Step(new CustomerSaid("1")));
        run.Step(new AgentConnected("A007"));
        Assert.Equal([new SendText("您已 60 秒未回复，本次会话结束，欢迎再来"), new EndConversation(FlowEndReason.CustomerReplyTimeout)], run.Step(new CustomerReplyTimedOut()));
        Assert.Equal((FlowPhase.Ended, "end"), (run.State.Phase, run.State.ModuleId));
    }

    [Fact]
    public void FL5_The_agent_ending_the_conversation_sends_the_Ends_message()
    {
        var run = new Run(FlowSamples.Online);
        run.Step(new Begin());
        run.Step(new CustomerSaid("2"));
        run.Step(new AgentConnected("B1"));
        Assert.Equal([new SendText("感谢您的咨询，再见"), new EndConversation(FlowEndReason.AgentEnded)], run.Step(new AgentEnded()));
        Assert.Equal(FlowPhase.Ended, run.State.Phase);
    }

    [Fact]
    public void FL4_No_agent_online_sends_the_failure_message_and_ends_the_conversation()
    {
        var run = new Run(FlowSamples.Online);
        run.Step(new Begin());
        run.Step(new CustomerSaid("1"));
        Assert.Equal([new SendText("抱歉，产品咨询暂无客服在线，请稍后再来"), new EndConversation(FlowEndReason.NoAgentOnline)], run.Step(new NoAgentOnline()));
        Assert.Equal(FlowPhase.Ended, run.State.Phase);
    }

    [Fact]
    public void FL3_On_the_phone_a_timeout_plays_its_prompt_and_the_most_invalid_inputs_hang_up()
    {
        var run = new Run(FlowSamples.Ivr);
        Assert.Equal([new PlayAudio(null, "您好，欢迎致电。"), new PlayAudio(null, "产品咨询请按 1，商务合作请按 2")], run.Step(new Begin()));
        Assert.Equal(T0.AddSeconds(10), run.State.DeadlineAt);
        Assert.Empty(run.Step(new TimedOut(), T0.AddSeconds(9)));
        Assert.Equal([new PlayAudio(null, "没有收到您的按键"), new PlayAudio(null, "产品咨询请按 1，商务合作请按 2")], run.Step(new TimedOut(), T0.AddSeconds(10)));
        Assert.Equal(T0.AddSeconds(20), run.State.DeadlineAt);
        Assert.Equal([new PlayAudio(null, "输入有误"), new PlayAudio(null, "产品咨询请按 1，商务合作请按 2")], run.Step(new DigitsPressed("9"), T0.AddSeconds(12)));
        Assert.Equal([new EndConversation(FlowEndReason.TooManyInvalidInputs)], run.Step(new DigitsPressed("#"), T0.AddSeconds(13)));
        Assert.Equal(FlowPhase.Ended, run.State.Phase);
    }

    [Fact]
    public void FL3_FL4_A_phone_caller_choosing_in_time_is_transferred_and_hears_the_announcement()
    {
        var run = new Run(FlowSamples.Ivr);
        run.Step(new Begin());
        Assert.Equal([new Enqueue("g-hotline")], run.Step(new DigitsPressed("2"), T0.AddSeconds(3)));
        Assert.Null(run.State.DeadlineAt);
        Assert.Equal([new PlayAudio(null, "坐席正忙，您前面还有 1 位")], run.Step(new QueuePosition(1)));
        Assert.Equal([new PlayAudio(null, "工号 8001 为您服务")], run.Step(new AgentConnected("8001")));
    }

    [Fact]
    public void Events_that_mean_nothing_where_they_meet_the_flow_change_nothing_and_say_so()
    {
        var run = new Run(FlowSamples.Online);
        var before = FlowInterpreter.Step(ServiceMode.Online, FlowSamples.Online.Definition, FlowState.Initial, new CustomerSaid("1"), T0);
        Assert.False(before.Handled);
        Assert.Equal(FlowState.Initial, before.State);
        run.Step(new Begin());
        run.Step(new CustomerSaid("1"));
        var typing = FlowInterpreter.Step(ServiceMode.Online, FlowSamples.Online.Definition, run.State, new CustomerSaid("hello?"), T0);
        Assert.False(typing.Handled);
        Assert.Empty(typing.Effects);
        run.Step(new CustomerLeft());
        Assert.False(FlowInterpreter.Step(ServiceMode.Online, FlowSamples.Online.Definition, run.State, new AgentConnected("x"), T0).Handled);
    }
}
