using Engine.Grains.Runtime;
using Engine.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Engine.Tests.Runtime;

public sealed class ReminderTests
{
    private static readonly DateTimeOffset Start = ManualTimeProvider.DefaultStart;

    [Fact]
    public async Task Reminder_reactivates_a_deactivated_grain_when_due()
    {
        await using var host = await TestHost.StartAsync(r => r.Register<AlarmGrain>());
        var alarm = host.Get<AlarmGrain>("k");
        var due = Start.AddMinutes(10);
        await alarm.Call(due, static (g, d) => g.SetAsync("wake", d));
        await alarm.Call(g => g.DeactivateAsync());
        await host.IdleAsync();
        Assert.Equal(0, host.Runtime.ActivationCount);

        await host.AdvanceAsync(TimeSpan.FromMinutes(10) - TimeSpan.FromSeconds(1));
        Assert.Empty(host.Probe.Events);

        await host.AdvanceAsync(TimeSpan.FromSeconds(1));

        Assert.Equal([$"k:wake@{due:O}"], host.Probe.Events);
        Assert.Equal(2, host.Probe.Count("constructed"));
        Assert.Equal(0, host.Runtime.ArmedReminderCount);
        Assert.Empty(await host.ReminderStore.ReadAllAsync(default));
    }

    [Fact]
    public async Task Reminder_reaches_an_active_grain_as_a_turn()
    {
        await using var host = await TestHost.StartAsync(r => r.Register<AlarmGrain>());
        var alarm = host.Get<AlarmGrain>("k");
        await alarm.Call(Start.AddSeconds(5), static (g, d) => g.SetAsync("wake", d));
        var held = alarm.Call(g => g.HoldAsync()).AsTask();
        await host.Probe.WhenSignaled("held:k");

        host.Clock.Advance(TimeSpan.FromSeconds(5));

        Assert.Empty(host.Probe.Events);
        host.Probe.Signal("release:k");
        await held.WaitAsync(TestHost.HangGuard);
        await host.IdleAsync();
        Assert.Equal([$"k:wake@{Start.AddSeconds(5):O}"], host.Probe.Events);
        Assert.Equal(1, host.Probe.Count("constructed"));
    }

    [Fact]
    public async Task Cancelled_reminder_does_not_fire()
    {
        await using var host = await TestHost.StartAsync(r => r.Register<AlarmGrain>());
        var alarm = host.Get<AlarmGrain>("k");
        await alarm.Call(Start.AddSeconds(30), static (g, d) => g.SetAsync("wake", d));
        await alarm.Call(Start.AddSeconds(30), static (g, d) => g.SetAsync("other", d));

        await alarm.Call(g => g.CancelAsync("wake"));
        await host.AdvanceAsync(TimeSpan.FromMinutes(5));

        Assert.Equal([$"k:other@{Start.AddSeconds(30):O}"], host.Probe.Events);
        Assert.Empty(await host.ReminderStore.ReadAllAsync(default));
    }

    [Fact]
    public async Task Setting_a_reminder_again_under_the_same_name_replaces_it()
    {
        await using var host = await TestHost.StartAsync(r => r.Register<AlarmGrain>());
        var alarm = host.Get<AlarmGrain>("k");
        await alarm.Call(Start.AddSeconds(10), static (g, d) => g.SetAsync("wake", d));
        await alarm.Call(Start.AddSeconds(20), static (g, d) => g.SetAsync("wake", d));

        await host.AdvanceAsync(TimeSpan.FromSeconds(15));
        Assert.Empty(host.Probe.Events);
        await host.AdvanceAsync(TimeSpan.FromSeconds(15));

        Assert.Equal([$"k:wake@{Start.AddSeconds(20):O}"], host.Probe.Events);
    }

    [Fact]
    public async Task Restarted_runtime_rearms_stored_reminders_and_the_old_one_delivers_nothing()
    {
        var clock = new ManualTimeProvider();
        var storage = new MemoryGrainStorage();
        var store = new MemoryReminderStore();
        var due = Start.AddMinutes(2);
        var before = await TestHost.StartAsync(r => r.Register<AlarmGrain>(), clock: clock, storage: storage, reminders: store);
        await before.Get<AlarmGrain>("k").Call(due, static (g, d) => g.SetAsync("wake", d));
        await before.DisposeAsync();
        clock.Advance(TimeSpan.FromMinutes(1));

        await using var after = await TestHost.StartAsync(r => r.Register<AlarmGrain>(), clock: clock, storage: storage, reminders: store);
        Assert.Equal(1, after.Runtime.ArmedReminderCount);
        await after.AdvanceAsync(TimeSpan.FromMinutes(1));

        Assert.Equal([$"k:wake@{due:O}"], after.Probe.Events);
        Assert.Empty(before.Probe.Events);
        Assert.Empty(await store.ReadAllAsync(default));
    }

    [Fact]
    public async Task Reminder_that_fell_due_while_the_runtime_was_down_fires_after_restart_with_its_original_due_time()
    {
        var storage = new MemoryGrainStorage();
        var store = new MemoryReminderStore();
        var due = Start.AddMinutes(2);
        await using (var before = await TestHost.StartAsync(r => r.Register<AlarmGrain>(), storage: storage, reminders: store))
        {
            await before.Get<AlarmGrain>("k").Call(due, static (g, d) => g.SetAsync("wake", d));
        }

        var later = new ManualTimeProvider(Start.AddHours(1));
        await using var after = await TestHost.StartAsync(r => r.Register<AlarmGrain>(), clock: later, storage: storage, reminders: store);
        await after.AdvanceAsync(TimeSpan.Zero);

        Assert.Equal([$"k:wake@{due:O}"], after.Probe.Events);
    }

    [Fact]
    public async Task Overdue_reminder_is_delivered_even_when_its_timer_fires_before_the_arming_call_returns()
    {
        // A thread-pool timer due now may run its callback before CreateTimer or Change has returned to the caller.
        var store = new MemoryReminderStore();
        await store.UpsertAsync(new ReminderEntry(TestHost.IdOf<AlarmGrain>("k"), "wake", Start.AddMinutes(-1)), default);
        var probe = new Probe();
        await using var services = new ServiceCollection().AddSingleton(probe).BuildServiceProvider();
        await using var runtime = new GrainRuntime(new RuntimeOptions { TrackQuiescence = true }, services, new EagerTimeProvider(), new MemoryGrainStorage(), store);
        runtime.Register<AlarmGrain>();

        await runtime.StartAsync();
        await runtime.WhenIdle().WaitAsync(TestHost.HangGuard);

        Assert.Equal([$"k:wake@{Start.AddMinutes(-1):O}"], probe.Events);
    }

    [Fact]
    public async Task Reminder_due_beyond_the_longest_timer_due_time_is_delivered_when_due()
    {
        await using var host = await TestHost.StartAsync(
            r => r.Register<AlarmGrain>(),
            o => (o.SweepPeriod, o.IdleTimeout) = (TimeSpan.FromHours(1), TimeSpan.FromDays(1)));
        var due = Start.AddDays(60);
        await host.Get<AlarmGrain>("k").Call(due, static (g, d) => g.SetAsync("renewal", d));

        await host.AdvanceAsync(TimeSpan.FromDays(60) - TimeSpan.FromHours(1));
        Assert.Empty(host.Probe.Events);
        await host.AdvanceAsync(TimeSpan.FromHours(1));

        Assert.Equal([$"k:renewal@{due:O}"], host.Probe.Events);
    }

    public sealed class AlarmGrain : Grain, IRemindable
    {
        private readonly Probe _probe;

        public AlarmGrain(Probe probe)
        {
            _probe = probe;
            probe.Increment("constructed");
        }

        public ValueTask SetAsync(string name, DateTimeOffset due) => SetReminderAsync(name, due);

        public ValueTask CancelAsync(string name) => CancelReminderAsync(name);

        public ValueTask DeactivateAsync()
        {
            DeactivateOnIdle();
            return default;
        }

        public async ValueTask HoldAsync()
        {
            _probe.Signal($"held:{Key}");
            await _probe.Gate($"release:{Key}");
        }

        public ValueTask ReceiveReminderAsync(string name, DateTimeOffset dueAt)
        {
            _probe.Record($"{Key}:{name}@{dueAt:O}");
            return default;
        }
    }

    /// <summary>A manual clock whose timers, when armed with a zero due time, fire before the arming call returns.</summary>
    private sealed class EagerTimeProvider : TimeProvider
    {
        private readonly ManualTimeProvider _inner = new();

        public override DateTimeOffset GetUtcNow() => _inner.GetUtcNow();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = new EagerTimer(_inner.CreateTimer(callback, state, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan), callback, state);
            timer.Change(dueTime, period);
            return timer;
        }

        private sealed class EagerTimer(ITimer inner, TimerCallback callback, object? state) : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period)
            {
                if (dueTime != TimeSpan.Zero) return inner.Change(dueTime, period);
                callback(state);
                return inner.Change(period <= TimeSpan.Zero ? Timeout.InfiniteTimeSpan : period, period);
            }

            public void Dispose() => inner.Dispose();

            public ValueTask DisposeAsync() => inner.DisposeAsync();
        }
    }
}
