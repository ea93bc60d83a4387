using Engine.Grains.Runtime;

using Engine.Tests.Support;

namespace Engine.Tests.Runtime;

public sealed class ActivationTests
{
    [Fact]
    public async Task Two_concurrent_first_calls_create_a_single_activation()
    {
        await using var host = await TestHost.StartAsync(r => r.Register<InstanceGrain>());
        var first = host.Get<InstanceGrain>("k").Call(g => g.InstanceAsync()).AsTask();
        var second = host.Get<InstanceGrain>("k").Call(g => g.InstanceAsync()).AsTask();

        var instances = await Task.WhenAll(first, second).WaitAsync(TestHost.HangGuard);

        Assert.Equal(instances[0], instances[1]);
        Assert.Equal(1, host.Probe.Count("constructed"));
        Assert.Equal(1, host.Runtime.ActivationCount);
    }

    [Fact]
    public async Task Many_parallel_first_calls_from_real_threads_construct_one_instance_per_key()
    {
        await using var host = await TestHost.StartAsync(r => r.Register<InstanceGrain>());
        const int threads = 16;
        var keys = Enumerable.Range(0, 50).Select(i => $"k{i}").ToArray();
        var calls = new Task<Guid>[threads][];

        Threads.RunTogether(threads, t =>
            calls[t] = keys.Select(key => host.Get<InstanceGrain>(key).Call(g => g.InstanceAsync()).AsTask()).ToArray());

        for (var k = 0; k < keys.Length; k++)
        {
            var seen = await Task.WhenAll(calls.Select(perThread => perThread[k])).WaitAsync(TestHost.HangGuard);
            Assert.Single(seen.Distinct());
            Assert.Equal(1, host.Probe.Count($"activated:{keys[k]}"));
        }
        Assert.Equal(keys.Length, host.Probe.Count("constructed"));
        Assert.Equal(keys.Length, host.Runtime.ActivationCount);
    }

    [Fact]
    public async Task Calls_racing_with_deactivations_never_see_two_live_instances_of_a_key()
    {
        await using var host = await TestHost.StartAsync(r => r.Register<InstanceGrain>());
        const int callers = 8;
        const int callsPerCaller = 100;

        // Each caller awaits its calls one by one, so the queue keeps draining and every deactivation takes effect.
        var callerLoops = Enumerable.Range(0, callers).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < callsPerCaller; i++) await host.Get<InstanceGrain>("k").Call(g => g.InstanceThenDeactivateAsync());
        }));
        await Task.WhenAll(callerLoops).WaitAsync(TestHost.HangGuard);
        await host.IdleAsync();

        Assert.Equal(1, host.Probe.MaxInside("alive:k"));
        Assert.True(host.Probe.Count("constructed") > 1, "DeactivateOnIdle should have replaced the instance at least once");
        Assert.Equal(host.Probe.Count("constructed"), host.Probe.Count("deactivated:k"));
        Assert.Equal(0, host.Runtime.ActivationCount);
    }

    [Fact]
    public async Task Idle_activation_is_deactivated_and_the_next_call_reactivates_it_from_stored_state()
    {
        await using var host = await TestHost.StartAsync(r => r.Register<CounterGrain>());
        var counter = host.Get<CounterGrain>("k");
        for (var i = 0; i < 3; i++) await counter.Call(g => g.IncrementAsync());
        Assert.Equal(1, host.Runtime.ActivationCount);

        await host.AdvanceAsync(host.Options.IdleTimeout + 2 * host.Options.SweepPeriod);

        Assert.Equal(0, host.Runtime.ActivationCount);
        Assert.Equal(1, host.Probe.Count("deactivated:k"));
        Assert.Equal(3, await counter.Call(g => g.ValueAsync()));
        Assert.Equal(2, host.Probe.Count("constructed"));
        Assert.Equal(2, host.Probe.Count("activated:k"));
    }

    [Fact]
    public async Task Activation_that_received_a_message_within_the_idle_timeout_stays()
    {
        await using var host = await TestHost.StartAsync(r => r.Register<CounterGrain>());
        var counter = host.Get<CounterGrain>("k");
        await counter.Call(g => g.IncrementAsync());

        for (var i = 0; i < 3; i++)
        {
            await host.AdvanceAsync(host.Options.IdleTimeout - 3 * host.Options.SweepPeriod);
            await counter.Call(g => g.IncrementAsync());
        }

        Assert.Equal(1, host.Runtime.ActivationCount);
        Assert.Equal(0, host.Probe.Count("deactivated:k"));
        Assert.Equal(1, host.Probe.Count("constructed"));
    }

    [Fact]
    public async Task Activation_busy_in_a_long_turn_is_not_deactivated_as_idle()
    {
        await using var host = await TestHost.StartAsync(r => r.Register<CounterGrain>());
        var counter = host.Get<CounterGrain>("k");
        counter.Tell(g => g.HoldAsync());
        await host.Probe.WhenSignaled("held:k");

        host.Clock.Advance(3 * host.Options.IdleTimeout);
        host.Probe.Signal("release:k");
        await host.IdleAsync();

        Assert.Equal(0, host.Probe.Count("deactivated:k"));
        Assert.Equal(1, host.Probe.Count("constructed"));
        Assert.Equal(1, host.Runtime.ActivationCount);
    }

    [Fact]
    public async Task DeactivateOnIdle_deactivates_after_the_turn_and_the_next_call_gets_a_fresh_instance()
    {
        await using var host = await TestHost.StartAsync(r => r.Register<CounterGrain>());
        var counter = host.Get<CounterGrain>("k");
        await counter.Call(g => g.IncrementAsync());
        await counter.Call(g => g.IncrementAsync());

        await counter.Call(g => g.IncrementAndDeactivateAsync());
        await host.IdleAsync();

        Assert.Equal(0, host.Runtime.ActivationCount);
        Assert.Equal(1, host.Probe.Count("deactivated:k"));
        Assert.Equal(3, await counter.Call(g => g.ValueAsync()));
        Assert.Equal(2, host.Probe.Count("constructed"));
    }

    [Fact]
    public async Task Messages_queued_before_DeactivateOnIdle_takes_effect_still_run_on_the_same_instance()
    {
        await using var host = await TestHost.StartAsync(r => r.Register<CounterGrain>());
        var counter = host.Get<CounterGrain>("k");
        counter.Tell(g => g.HoldAsync());
        await host.Probe.WhenSignaled("held:k");
        counter.Tell(g => g.IncrementAndDeactivateAsync());
        var queued = counter.Call(g => g.IncrementAsync()).AsTask();

        host.Probe.Signal("release:k");
        await queued.WaitAsync(TestHost.HangGuard);
        await host.IdleAsync();

        Assert.Equal(1, host.Probe.Count("constructed"));
        Assert.Equal(1, host.Probe.Count("deactivated:k"));
        Assert.Equal(0, host.Runtime.ActivationCount);
        Assert.Equal(2, await counter.Call(g => g.ValueAsync()));
    }

    public sealed class InstanceGrain : Grain
    {
        private readonly Guid _instance = Guid.NewGuid();
        private readonly Probe _probe;

        public InstanceGrain(Probe probe)
        {
            _probe = probe;
            probe.Increment("constructed");
        }

        public override ValueTask OnActivateAsync(CancellationToken cancellationToken)
        {
            _probe.Increment($"activated:{Key}");
            _probe.Enter($"alive:{Key}");
            return default;
        }

        public override ValueTask OnDeactivateAsync()
        {
            _probe.Increment($"deactivated:{Key}");
            _probe.Exit($"alive:{Key}");
            return default;
        }

        public async ValueTask<Guid> InstanceAsync()
        {
            await Task.Yield();
            return _instance;
        }

        public ValueTask<Guid> InstanceThenDeactivateAsync()
        {
            DeactivateOnIdle();
            return new(_instance);
        }
    }

    public sealed class CounterState
    {
        public int Value { get; set; }
    }

    public sealed class CounterGrain : Grain<CounterState>
    {
        private readonly Probe _probe;

        public CounterGrain(Probe probe)
        {
            _probe = probe;
            probe.Increment("constructed");
        }

        public override ValueTask OnActivateAsync(CancellationToken cancellationToken)
        {
            _probe.Increment($"activated:{Key}");
            return default;
        }

        public override ValueTask OnDeactivateAsync()
        {
            _probe.Increment($"deactivated:{Key}");
            return default;
        }

        public async ValueTask IncrementAsync()
        {
            State.State.Value++;
            await State.WriteStateAsync();
        }

        public async ValueTask IncrementAndDeactivateAsync()
        {
            await IncrementAsync();
            DeactivateOnIdle();
        }

        public ValueTask<int> ValueAsync() => new(State.State.Value);

        public async ValueTask HoldAsync()
        {
            _probe.Signal($"held:{Key}");
            await _probe.Gate($"release:{Key}");
        }
    }
}
