using Microsoft.Extensions.Time.Testing;
using Engine.Agents;
using Engine.Conversations;
using Engine.Routing;
using Engine.StateMachines;

namespace Engine.Tests.Routing;

public sealed class AgentStatusTests
{
    [Fact]
    public async Task AS1_AS2_Going_online_makes_the_agent_idle_and_break_offline_and_online_again_follow()
    {
        await using var host = await RoutingHost.StartAsync();
        await host.GroupAsync("g1", ServiceMode.Online, 2, "a1");
        Assert.Equal(AgentStatus.Offline, (await host.AgentAsync("a1")).Status);

        await host.OnlineAsync("a1");
        Assert.Equal(AgentStatus.Idle, (await host.AgentAsync("a1")).Status);

        await host.Agent("a1").StartBreak();
        var onBreak = await host.AgentAsync("a1");
        Assert.Equal((AgentStatus.Break, BreakReason.Chosen), (onBreak.Status, onBreak.BreakReason));

        await host.Agent("a1").EndBreak();
        Assert.Equal(AgentStatus.Idle, (await host.AgentAsync("a1")).Status);

        await host.Agent("a1").GoOffline(false);
        Assert.Equal(AgentStatus.Offline, (await host.AgentAsync("a1")).Status);
        await host.Agent("a1").GoOnline();
        Assert.Equal(AgentStatus.Idle, (await host.AgentAsync("a1")).Status);
        Assert.Equal(1, host.Counters.Agents(AgentStatus.Idle));
    }

    [Fact]
    public async Task AS1_An_agent_at_the_reception_cap_is_busy_and_below_it_idle()
    {
        await using var host = await RoutingHost.StartAsync();
        await host.GroupAsync("g1", ServiceMode.Online, 2, "a1");
        await host.OnlineAsync("a1");

        await host.ArriveAsync("c1", "g1");
        await host.AnswerAsync("c1", "a1");
        Assert.Equal(AgentStatus.Idle, (await host.AgentAsync("a1")).Status);

        await host.ArriveAsync("c2", "g1");
        Assert.Equal(AgentStatus.Busy, (await host.AgentAsync("a1")).Status);
    }

    [Fact]
    public async Task AS2_A_transition_the_state_does_not_permit_throws_naming_state_and_trigger()
    {
        await using var host = await RoutingHost.StartAsync();
        await host.GroupAsync("g1", ServiceMode.Online, 1, "a1");
        var error = await Assert.ThrowsAsync<InvalidTransitionException>(() => host.Agent("a1").StartBreak().AsTask());
        Assert.Equal(("Offline", "StartBreak"), (error.State, error.Trigger));
        Assert.Contains("Offline", error.Message);
        Assert.Contains("StartBreak", error.Message);
    }

    [Fact]
    public async Task AS3_An_offered_conversation_rings_at_the_agent_who_answers_it()
    {
        await using var host = await RoutingHost.StartAsync();
        await host.GroupAsync("g1", ServiceMode.Online, 1, "a1");
        await host.OnlineAsync("a1");

        var (conversation, position) = await host.ArriveAsync("c1", "g1");
        Assert.Equal(-1, position);
        Assert.Contains(("a1", "c1"), host.Events.Rings);
        var offered = await host.ConversationAsync("c1");
        Assert.Equal((ConversationStatus.Offered, "a1"), (offered.Status, offered.AgentId));
        Assert.Equal(WorkStage.Reserved, Assert.Single((await host.AgentAsync("a1")).Work).Stage);

        await host.AnswerAsync("c1", "a1");
        Assert.Equal(ConversationStatus.Active, (await host.ConversationAsync("c1")).Status);
        Assert.Equal(WorkStage.Active, Assert.Single((await host.AgentAsync("a1")).Work).Stage);
        Assert.Equal("c1", conversation.Id);
    }

    [Fact]
    public async Task AS4_Offer_not_answered_in_time_goes_to_next_agent_and_puts_agent_on_break()
    {
        await using var host = await RoutingHost.StartAsync();
        await host.SetModeSettingsAsync(ServiceMode.Online, new RoutingSettings { TimeoutTransfer = true, TimeoutTransferSeconds = 20 });
        await host.GroupAsync("g1", ServiceMode.Online, 1, "a1", "a2");
        await host.OnlineAsync("a1", "a2");

        await host.ArriveAsync("c1", "g1");
        Assert.Equal("a1", await host.AgentOfAsync("c1"));

        await host.AdvanceAsync(TimeSpan.FromSeconds(19));
        Assert.Equal("a1", await host.AgentOfAsync("c1"));

        await host.AdvanceAsync(TimeSpan.FromSeconds(1));
        var moved = await host.ConversationAsync("c1");
        Assert.Equal((ConversationStatus.Offered, "a2"), (moved.Status, moved.AgentId));
        Assert.Contains("a1", moved.ExcludedAgents);
        var missed = await host.AgentAsync("a1");
        Assert.Equal((AgentStatus.Break, BreakReason.MissedOffer), (missed.Status, missed.BreakReason));
        Assert.Empty(missed.Work);
        Assert.Contains(("a1", "c1"), host.Events.Withdrawn);
    }

    /// <summary>The fake clock, whose timers of a second or more tick a little before their time, as real timers may.</summary>
    private sealed class EarlyTimers(FakeTimeProvider clock, TimeSpan early) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => clock.GetUtcNow();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
            => clock.CreateTimer(callback, state, dueTime >= TimeSpan.FromSeconds(1) ? dueTime - early : dueTime, period);
    }

    [Fact]
    public async Task AS4_An_offer_timer_that_ticks_before_the_deadline_is_armed_again_and_the_offer_still_moves_on()
    {
        var early = TimeSpan.FromMilliseconds(5);
        await using var host = await RoutingHost.StartAsync(timers: clock => new EarlyTimers(clock, early));
        await host.SetModeSettingsAsync(ServiceMode.Online, new RoutingSettings { TimeoutTransfer = true, TimeoutTransferSeconds = 20 });
        await host.GroupAsync("g1", ServiceMode.Online, 1, "a1", "a2");
        await host.OnlineAsync("a1", "a2");
        await host.ArriveAsync("c1", "g1");

        // The tick comes 5 ms early: the offer is not due yet and keeps ringing, with its timer armed again.
        await host.AdvanceAsync(TimeSpan.FromSeconds(20) - early);
        Assert.Equal("a1", await host.AgentOfAsync("c1"));

        await host.AdvanceAsync(early);
        Assert.Equal("a2", await host.AgentOfAsync("c1"));
        Assert.Equal(AgentStatus.Break, (await host.AgentAsync("a1")).Status);
    }

    [Fact]
    public async Task AS5_Chat_ended_by_the_agent_is_wrap_up_until_completed_then_leaves_the_list()
    {
        await using var host = await RoutingHost.StartAsync();
        await host.GroupAsync("g1", ServiceMode.Online, 3, "a1");
        await host.OnlineAsync("a1");
        await host.ArriveAsync("c1", "g1");
        await host.AnswerAsync("c1", "a1");

        await host.EndAsync("c1", "a1");
        var ended = await host.AgentAsync("a1");
        Assert.Equal(AgentStatus.WrapUp, ended.Status);
        Assert.Equal(WorkStage.Ended, Assert.Single(ended.Work).Stage);
        Assert.Equal((ConversationStatus.Ended, EndReason.AgentEnded), ((await host.ConversationAsync("c1")).Status, (await host.ConversationAsync("c1")).EndReason));

        await host.CompleteAsync("c1", "a1");
        var done = await host.AgentAsync("a1");
        Assert.Equal(AgentStatus.Idle, done.Status);
        Assert.Empty(done.Work);
        Assert.Contains(host.Events.Conversations, c => c.Id == "c1" && c.Status == ConversationStatus.Completed);
        Assert.Null(await host.Conversation("c1").GetSnapshot());
    }

    [Fact]
    public async Task AS6_After_a_call_continue_returns_to_idle_at_once()
    {
        await using var host = await RoutingHost.StartAsync();
        await host.GroupAsync("p1", ServiceMode.Phone, 1, "a1");
        await host.OnlineAsync("a1");
        await host.ArriveAsync("call1", "p1", "+8613800000000", ServiceMode.Phone);
        await host.AnswerAsync("call1", "a1");
        Assert.Equal(AgentStatus.Busy, (await host.AgentAsync("a1")).Status);

        await host.EndAsync("call1", "a1");
        Assert.Equal(AgentStatus.WrapUp, (await host.AgentAsync("a1")).Status);
        Assert.Equal(WorkStage.AfterCall, Assert.Single((await host.AgentAsync("a1")).Work).Stage);

        await host.CompleteAsync("call1", "a1");
        Assert.Equal(AgentStatus.Idle, (await host.AgentAsync("a1")).Status);
    }

    [Fact]
    public async Task AS6_After_a_call_wrap_up_holds_until_finished_from_the_menu()
    {
        await using var host = await RoutingHost.StartAsync();
        await host.GroupAsync("p1", ServiceMode.Phone, 1, "a1");
        await host.OnlineAsync("a1");
        await host.ArriveAsync("call1", "p1", "+8613800000000", ServiceMode.Phone);
        await host.AnswerAsync("call1", "a1");
        await host.EndAsync("call1", "a1");

        await host.Conversation("call1").EnterWrapUp("a1");
        await host.AdvanceAsync(TimeSpan.FromMinutes(10));
        Assert.Equal(AgentStatus.WrapUp, (await host.AgentAsync("a1")).Status);

        await host.Conversation("call1").FinishWrapUp("a1");
        await host.IdleAsync();
        Assert.Equal(AgentStatus.Idle, (await host.AgentAsync("a1")).Status);
    }

    [Fact]
    public async Task AS6_After_a_call_doing_nothing_returns_to_idle_when_the_window_closes()
    {
        await using var host = await RoutingHost.StartAsync();
        await host.SetModeSettingsAsync(ServiceMode.Phone, new RoutingSettings { AfterCallSeconds = 15 });
        await host.GroupAsync("p1", ServiceMode.Phone, 1, "a1");
        await host.OnlineAsync("a1");
        await host.ArriveAsync("call1", "p1", "+8613800000000", ServiceMode.Phone);
        await host.AnswerAsync("call1", "a1");
        await host.EndAsync("call1", "a1");

        await host.AdvanceAsync(TimeSpan.FromSeconds(14));
        Assert.Equal(AgentStatus.WrapUp, (await host.AgentAsync("a1")).Status);
        await host.AdvanceAsync(TimeSpan.FromSeconds(1));
        Assert.Equal(AgentStatus.Idle, (await host.AgentAsync("a1")).Status);
        Assert.Contains(host.Events.Conversations, c => c.Id == "call1" && c.Status == ConversationStatus.Completed);
    }

    [Fact]
    public async Task AS7_Status_recovery_returns_the_agent_to_idle_N_seconds_after_the_call_even_in_wrap_up()
    {
        await using var host = await RoutingHost.StartAsync();
        await host.SetModeSettingsAsync(ServiceMode.Phone, new RoutingSettings { StatusRecovery = true, StatusRecoverySeconds = 5, AfterCallSeconds = 60 });
        await host.GroupAsync("p1", ServiceMode.Phone, 1, "a1");
        await host.OnlineAsync("a1");
        await host.ArriveAsync("call1", "p1", "+8613800000000", ServiceMode.Phone);
        await host.AnswerAsync("call1", "a1");
        await host.EndAsync("call1", "a1");
        await host.Conversation("call1").EnterWrapUp("a1");

        await host.AdvanceAsync(TimeSpan.FromSeconds(4));
        Assert.Equal(AgentStatus.WrapUp, (await host.AgentAsync("a1")).Status);
        await host.AdvanceAsync(TimeSpan.FromSeconds(1));
        Assert.Equal(AgentStatus.Idle, (await host.AgentAsync("a1")).Status);
        Assert.Empty((await host.AgentAsync("a1")).Work);
    }

    [Fact]
    public async Task AS7_RT4_Settings_outside_1_to_90_seconds_are_refused_naming_the_field()
    {
        await using var host = await RoutingHost.StartAsync();
        var recovery = await Assert.ThrowsAsync<RoutingSettingsException>(() => host.SetModeSettingsAsync(ServiceMode.Phone, new RoutingSettings { StatusRecovery = true, StatusRecoverySeconds = 91 }));
        Assert.Equal(nameof(RoutingSettings.StatusRecoverySeconds), recovery.Field);
        var timeout = await Assert.ThrowsAsync<RoutingSettingsException>(() => host.SetModeSettingsAsync(ServiceMode.Online, new RoutingSettings { TimeoutTransfer = true, TimeoutTransferSeconds = 0 }));
        Assert.Equal(nameof(RoutingSettings.TimeoutTransferSeconds), timeout.Field);
        Assert.False((await host.TenantGrain.GetModeSettings(ServiceMode.Online)).TimeoutTransfer);
    }
}
