using Engine.Grains.Runtime;

namespace Engine.Tests.Runtime;

public sealed class TimerTests
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task Timer_ticks_once_per_period_as_turns_of_its_activation()
    {
        await using var host = await TestHost.StartAsync(r => r.Register<TickingGrain>());
        var grain = host.Get<TickingGrain>("k");
        await grain.Call(g => g.StartTimerAsync(Period));

        await host.AdvanceAsync(5 * Period);

        Assert.Equal(5, host.Probe.Count("tick:k"));
        Assert.Equal(1, host.Probe.MaxInside("turn:k"));
    }

    [Fact]
    public async Task Timer_tick_waits_for_a_running_call_and_never_overlaps_it()
    {
        await using var host = await TestHost.StartAsync(r => r.Register<TickingGrain>());
        var grain = host.Get<TickingGrain>("k");
        await grain.Call(g => g.StartTimerAsync(Period));
        var held = grain.Call(g => g.HoldAsync()).AsTask();
        await host.Probe.WhenSignaled("held:k");

        host.Clock.Advance(3 * Period);

        // The ticks were queued behind the running turn; had they run on the timer's thread they would have run by now.
        Assert.Equal(0, host.Probe.Count("tick:k"));
        host.Probe.Signal("release:k");
        await held.WaitAsync(TestHost.HangGuard);
        await host.IdleAsync();
        Assert.Equal(3, host.Probe.Count("tick:k"));
        Assert.Equal(1, host.Probe.MaxInside("turn:k"));
    }

    [Fact]
    public async Task Disposing_the_timer_handle_stops_the_ticks()
    {
        await using var host = await TestHost.StartAsync(r => r.Register<TickingGrain>());
        var grain = host.Get<TickingGrain>("k");
        await grain.Call(g => g.StartTimerAsync(Period));
        await host.AdvanceAsync(2 * Period);

        await grain.Call(g => g.StopTimerAsync());
        await host.AdvanceAsync(5 * Period);

        Assert.Equal(2, host.Probe.Count("tick:k"));
    }

    [Fact]
    public async Task A_tick_queued_behind_a_turn_that_disposes_its_timer_is_dropped()
    {
        await using var host = await TestHost.StartAsync(r => r.Register<TickingGrain>());
        var grain = host.Get<TickingGrain>("k");
        await grain.Call(g => g.StartTimerAsync(Period));
        var held = grain.Call(g => g.HoldThenStopTimerAsync()).AsTask();
        await host.Probe.WhenSignaled("held:k");

        // The tick is queued behind the running turn, which then lets the timer go (as a grain replacing a deadline does).
        host.Clock.Advance(Period);
        host.Probe.Signal("release:k");
        await held.WaitAsync(TestHost.HangGuard);
        await host.IdleAsync();

        Assert.Equal(0, host.Probe.Count("tick:k"));
    }

    [Fact]
    public async Task Timers_stop_when_the_activation_deactivates()
    {
        await using var host = await TestHost.StartAsync(r => r.Register<TickingGrain>());
        var grain = host.Get<TickingGrain>("k");
        await grain.Call(g => g.StartTimerAsync(Period));
        await host.AdvanceAsync(2 * Period);
        var armedBefore = host.Clock.ArmedTimerCount;

        await grain.Call(g => g.DeactivateAsync());
        await host.IdleAsync();
        await host.AdvanceAsync(5 * Period);

        Assert.Equal(2, host.Probe.Count("tick:k"));
        Assert.Equal(armedBefore - 1, host.Clock.ArmedTimerCount);
        Assert.Equal(0, host.Runtime.ActivationCount);
        Assert.Equal(1, host.Probe.Count("constructed"));
    }

    [Fact]
    public async Task Timer_tick_due_while_the_grain_deactivates_does_not_reactivate_it()
    {
        await using var host = await TestHost.StartAsync(r => r.Register<TickingGrain>());
        var grain = host.Get<TickingGrain>("k");
        await grain.Call(g => g.StartTimerAsync(Period));
        await grain.Call(g => g.DeactivateSlowlyAsync());
        await host.Probe.WhenSignaled("deactivating:k");

        host.Clock.Advance(Period);
        host.Probe.Signal("deactivated:k");
        await host.IdleAsync();

        Assert.Equal(0, host.Probe.Count("tick:k"));
        Assert.Equal(1, host.Probe.Count("constructed"));
        await host.AdvanceAsync(host.Options.IdleTimeout + 2 * host.Options.SweepPeriod);
        Assert.Equal(1, host.Probe.Count("constructed"));
        Assert.Equal(0, host.Runtime.ActivationCount);
    }

    public sealed class TickingGrain : Grain
    {
        private readonly Probe _probe;
        private IDisposable? _timer;
        private bool _slowDeactivation;

        public TickingGrain(Probe probe)
        {
            _probe = probe;
            probe.Increment("constructed");
        }

        public ValueTask StartTimerAsync(TimeSpan period)
        {
            _timer = RegisterTimer(TickAsync, period, period);
            return default;
        }

        public ValueTask StopTimerAsync()
        {
            _timer?.Dispose();
            return default;
        }

        public async ValueTask HoldAsync()
        {
            _probe.Enter($"turn:{Key}");
            _probe.Signal($"held:{Key}");
            await _probe.Gate($"release:{Key}");
            _probe.Exit($"turn:{Key}");
        }

        public async ValueTask HoldThenStopTimerAsync()
        {
            await HoldAsync();
            _timer?.Dispose();
        }

        public ValueTask DeactivateAsync()
        {
            DeactivateOnIdle();
            return default;
        }

        public ValueTask DeactivateSlowlyAsync()
        {
            _slowDeactivation = true;
            DeactivateOnIdle();
            return default;
        }

        public override async ValueTask OnDeactivateAsync()
        {
            if (!_slowDeactivation) return;
            _probe.Signal($"deactivating:{Key}");
            await _probe.Gate($"deactivated:{Key}");
        }

        private async ValueTask TickAsync()
        {
            _probe.Enter($"turn:{Key}");
            _probe.Increment($"tick:{Key}");
            await Task.Yield();
            _probe.Exit($"turn:{Key}");
        }
    }
}
