using Engine.Grains.Runtime;

namespace Engine.Tests.Runtime;

public sealed class CallTimeoutTests
{
    [Fact]
    public async Task Cycle_of_awaited_calls_fails_with_a_timeout_naming_both_grains_instead_of_hanging()
    {
        await using var host = await TestHost.StartAsync(r => r.Register<CycleA>().Register<CycleB>(), o => o.CallTimeout = TimeSpan.FromSeconds(5));
        host.Get<CycleA>("k").Tell(g => g.StartCycleAsync());
        await host.Probe.WhenSignaled("cycle-formed");

        host.Clock.Advance(host.Options.CallTimeout + 2 * host.Options.SweepPeriod);

        var error = Assert.IsType<GrainCallTimeoutException>(await host.Probe.WhenSignaled("a-failed"));
        Assert.Contains(TestHost.IdOf<CycleA>("k").ToString(), error.Message, StringComparison.Ordinal);
        Assert.Contains(TestHost.IdOf<CycleB>("k").ToString(), error.Message, StringComparison.Ordinal);
        Assert.Equal(
            new HashSet<GrainId> { TestHost.IdOf<CycleA>("k"), TestHost.IdOf<CycleB>("k") },
            new HashSet<GrainId> { error.Caller!.Value, error.Callee });
        await host.IdleAsync();
        Assert.Equal(1, await host.Get<CycleB>("k").Call(g => g.ViaAAsync()));
    }

    [Fact]
    public async Task Client_call_to_a_grain_stuck_in_a_turn_times_out_naming_client_and_callee()
    {
        await using var host = await TestHost.StartAsync(r => r.Register<StuckGrain>());
        var grain = host.Get<StuckGrain>("k");
        var stuck = grain.Call(g => g.HoldAsync()).AsTask();
        await host.Probe.WhenSignaled("held");
        var queued = grain.Call(g => g.MarkAsync()).AsTask();

        host.Clock.Advance(host.Options.CallTimeout + 2 * host.Options.SweepPeriod);

        foreach (var call in new[] { stuck, queued })
        {
            var error = await Assert.ThrowsAsync<GrainCallTimeoutException>(() => call.WaitAsync(TestHost.HangGuard));
            Assert.Null(error.Caller);
            Assert.Equal(TestHost.IdOf<StuckGrain>("k"), error.Callee);
            Assert.Contains("client", error.Message, StringComparison.Ordinal);
            Assert.Contains(TestHost.IdOf<StuckGrain>("k").ToString(), error.Message, StringComparison.Ordinal);
        }

        host.Probe.Signal("release");
        await host.IdleAsync();
        Assert.Equal(0, host.Probe.Count("marked"));
        Assert.Equal(1, await grain.Call(g => g.MarkAsync()));
    }

    [Fact]
    public async Task Call_that_completes_within_the_timeout_succeeds()
    {
        await using var host = await TestHost.StartAsync(r => r.Register<StuckGrain>());
        var grain = host.Get<StuckGrain>("k");
        var held = grain.Call(g => g.HoldAsync()).AsTask();
        await host.Probe.WhenSignaled("held");
        var queued = grain.Call(g => g.MarkAsync()).AsTask();

        host.Clock.Advance(host.Options.CallTimeout - 2 * host.Options.SweepPeriod);
        host.Probe.Signal("release");

        await held.WaitAsync(TestHost.HangGuard);
        Assert.Equal(1, await queued.WaitAsync(TestHost.HangGuard));
    }

    public sealed class CycleA(Probe probe) : Grain
    {
        public async ValueTask StartCycleAsync()
        {
            try
            {
                await GetGrain<CycleB>(Key).Call(g => g.CallBackAsync());
                probe.Signal("a-failed", null);
            }
            catch (GrainCallTimeoutException e)
            {
                probe.Signal("a-failed", e);
            }
        }

        public ValueTask<int> PingAsync() => new(1);
    }

    public sealed class CycleB(Probe probe) : Grain
    {
        public async ValueTask CallBackAsync()
        {
            var pending = GetGrain<CycleA>(Key).Call(g => g.PingAsync());
            probe.Signal("cycle-formed");
            await pending;
        }

        public async ValueTask<int> ViaAAsync() => await GetGrain<CycleA>(Key).Call(g => g.PingAsync());
    }

    public sealed class StuckGrain(Probe probe) : Grain
    {
        public async ValueTask HoldAsync()
        {
            probe.Signal("held");
            await probe.Gate("release");
        }

        public ValueTask<int> MarkAsync() => new(probe.Increment("marked"));
    }
}
