using Engine.Grains.Runtime;

namespace Engine.Tests.Runtime;

public sealed class ErrorTests
{
    [Fact]
    public async Task Exception_thrown_in_a_grain_method_reaches_the_caller_as_that_exception()
    {
        await using var host = await TestHost.StartAsync(r => r.Register<FaultyGrain>());
        var grain = host.Get<FaultyGrain>("k");

        var sync = await Assert.ThrowsAsync<InvalidOperationException>(() => grain.Call(g => g.ThrowBeforeAwaitAsync()).AsTask());
        var async = await Assert.ThrowsAsync<ArgumentException>(() => grain.Call(g => g.ThrowAfterAwaitAsync()).AsTask());
        var noResult = await Assert.ThrowsAsync<FormatException>(() => grain.Call(g => g.ThrowWithoutResultAsync()).AsTask());

        Assert.Equal("before await", sync.Message);
        Assert.Equal("after await", async.Message);
        Assert.Equal("no result", noResult.Message);
    }

    [Fact]
    public async Task Exception_from_a_grain_called_by_a_grain_reaches_the_outer_caller_unchanged()
    {
        await using var host = await TestHost.StartAsync(r => r.Register<FaultyGrain>());

        var error = await Assert.ThrowsAsync<ArgumentException>(() => host.Get<FaultyGrain>("outer").Call(g => g.CallPeerAsync("inner")).AsTask());

        Assert.Equal("after await", error.Message);
    }

    [Fact]
    public async Task A_turn_that_fails_part_way_makes_the_grain_re_read_its_stored_state()
    {
        await using var host = await TestHost.StartAsync(r => r.Register<HalfDoneGrain>());
        var grain = host.Get<HalfDoneGrain>("k");
        Assert.Equal(1, await grain.Call(g => g.SaveNextAsync()));

        await Assert.ThrowsAsync<IOException>(() => grain.Call(g => g.ChangeThenFailAsync()).AsTask());

        Assert.Equal(1, await grain.Call(g => g.ValueAsync()));
        Assert.Equal(2, host.Probe.Count("constructed"));
        Assert.Equal(1, host.Probe.Count("deactivated"));
    }

    [Fact]
    public async Task Grain_keeps_its_instance_and_state_after_a_failure_it_declares_safe()
    {
        await using var host = await TestHost.StartAsync(r => r.Register<FaultyGrain>());
        var grain = host.Get<FaultyGrain>("k");
        Assert.Equal(1, await grain.Call(g => g.CountAsync()));

        await Assert.ThrowsAsync<ArgumentException>(() => grain.Call(g => g.ThrowAfterAwaitAsync()).AsTask());
        grain.Tell(g => g.FailOneWayAfterAwaitAsync());
        grain.Tell(g => g.FailOneWayBeforeAwait());

        Assert.Equal(2, await grain.Call(g => g.CountAsync()));
        Assert.Equal(1, host.Probe.Count("constructed"));
    }

    [Fact]
    public async Task Activation_failure_fails_the_call_with_GrainActivationException_and_the_next_call_retries()
    {
        await using var host = await TestHost.StartAsync(r => r.Register<FragileGrain>());
        var grain = host.Get<FragileGrain>("k");

        var error = await Assert.ThrowsAsync<GrainActivationException>(() => grain.Call(g => g.PingAsync()).AsTask());

        var inner = Assert.IsType<InvalidOperationException>(error.InnerException);
        Assert.Equal("activation 1 failed", inner.Message);
        Assert.Contains(TestHost.IdOf<FragileGrain>("k").ToString(), error.Message, StringComparison.Ordinal);
        Assert.Equal("pong", await grain.Call(g => g.PingAsync()));
        Assert.Equal(2, host.Probe.Count("activate:k"));
    }

    [Fact]
    public async Task State_that_cannot_be_read_fails_the_call_with_GrainActivationException()
    {
        await using var host = await TestHost.StartAsync(r => r.Register<StatefulGrain>(), storage: new UnreadableStorage());

        var error = await Assert.ThrowsAsync<GrainActivationException>(() => host.Get<StatefulGrain>("k").Call(g => g.ValueAsync()).AsTask());

        Assert.IsType<IOException>(error.InnerException);
        Assert.Equal(0, host.Probe.Count("activate:k"));
    }

    [Fact]
    public async Task Calling_an_unregistered_grain_type_fails_with_GrainActivationException()
    {
        await using var host = await TestHost.StartAsync(r => r.Register<FaultyGrain>());

        var error = await Assert.ThrowsAsync<GrainActivationException>(() => host.Get<FragileGrain>("k").Call(g => g.PingAsync()).AsTask());

        Assert.Contains(nameof(FragileGrain), error.InnerException!.Message, StringComparison.Ordinal);
    }

    public sealed class FaultyGrain : Grain
    {
        private int _count;

        public FaultyGrain(Probe probe) => probe.Increment("constructed");

        protected internal override bool IsStateSafeAfter(Exception error) => true;

        public ValueTask<int> ThrowBeforeAwaitAsync() => throw new InvalidOperationException("before await");

        public async ValueTask<int> ThrowAfterAwaitAsync()
        {
            await Task.Yield();
            throw new ArgumentException("after await");
        }

        public async ValueTask ThrowWithoutResultAsync()
        {
            await Task.Yield();
            throw new FormatException("no result");
        }

        public ValueTask FailOneWayBeforeAwait() => throw new InvalidOperationException("one-way before await");

        public async ValueTask FailOneWayAfterAwaitAsync()
        {
            await Task.Yield();
            throw new InvalidOperationException("one-way after await");
        }

        public async ValueTask<int> CallPeerAsync(string peer) => await GetGrain<FaultyGrain>(peer).Call(g => g.ThrowAfterAwaitAsync());

        public ValueTask<int> CountAsync() => new(++_count);
    }

    public sealed class FragileGrain(Probe probe) : Grain
    {
        public override ValueTask OnActivateAsync(CancellationToken cancellationToken)
        {
            var attempt = probe.Increment($"activate:{Key}");
            if (attempt == 1) throw new InvalidOperationException($"activation {attempt} failed");
            return default;
        }

        public ValueTask<string> PingAsync() => new("pong");
    }

    public sealed class StatefulState
    {
        public int Value { get; set; }
    }

    public sealed class HalfDoneGrain : Grain<StatefulState>
    {
        private readonly Probe _probe;

        public HalfDoneGrain(Probe probe)
        {
            _probe = probe;
            probe.Increment("constructed");
        }

        public async ValueTask<int> SaveNextAsync()
        {
            State.State.Value++;
            await State.WriteStateAsync();
            return State.State.Value;
        }

        public ValueTask ChangeThenFailAsync()
        {
            State.State.Value = 99;
            throw new IOException("disk full");
        }

        public ValueTask<int> ValueAsync() => new(State.State.Value);

        public override ValueTask OnDeactivateAsync()
        {
            _probe.Increment("deactivated");
            return default;
        }
    }

    public sealed class StatefulGrain(Probe probe) : Grain<StatefulState>
    {
        public override ValueTask OnActivateAsync(CancellationToken cancellationToken)
        {
            probe.Increment($"activate:{Key}");
            return default;
        }

        public ValueTask<int> ValueAsync() => new(State.State.Value);
    }

    private sealed class UnreadableStorage : IGrainStorage
    {
        public async ValueTask<StoredState?> ReadAsync(GrainId grain, CancellationToken cancellationToken)
        {
            await Task.Yield();
            throw new IOException("disk gone");
        }

        public ValueTask<string> WriteAsync(GrainId grain, ReadOnlyMemory<byte> payload, string? etag, CancellationToken cancellationToken)
            => throw new IOException("disk gone");

        public ValueTask ClearAsync(GrainId grain, string? etag, CancellationToken cancellationToken)
            => throw new IOException("disk gone");
    }
}
