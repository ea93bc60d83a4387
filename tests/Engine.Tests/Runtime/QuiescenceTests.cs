using Engine.Grains.Runtime;
using Engine.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Engine.Tests.Runtime;

public sealed class QuiescenceTests
{
    [Fact]
    public async Task WhenIdle_completes_only_after_messages_that_grains_sent_on_have_run()
    {
        await using var host = await TestHost.StartAsync(r => r.Register<RelayGrain>(), o => o.MaxBatch = 2);
        const int rounds = 200;
        const int fanOut = 8;

        for (var round = 1; round <= rounds; round++)
        {
            for (var i = 0; i < fanOut; i++) host.Get<RelayGrain>($"r{i}").Tell(fanOut, static (g, n) => g.RelayAsync(n));
            await host.IdleAsync();
            Assert.Equal(round * fanOut * fanOut, host.Probe.Count("delivered"));
        }
    }

    [Fact]
    public async Task WhenIdle_needs_quiescence_tracking()
    {
        await using var services = new ServiceCollection().BuildServiceProvider();
        await using var runtime = new GrainRuntime(new RuntimeOptions(), services, new ManualTimeProvider(), new MemoryGrainStorage(), new MemoryReminderStore());

        Assert.Throws<InvalidOperationException>(() => { _ = runtime.WhenIdle(); });
    }

    public sealed class RelayGrain(Probe probe) : Grain
    {
        public ValueTask RelayAsync(int fanOut)
        {
            for (var i = 0; i < fanOut; i++) GetGrain<RelayGrain>($"sink{i}").Tell(static g => g.DeliverAsync());
            return default;
        }

        public async ValueTask DeliverAsync()
        {
            await Task.Yield();
            probe.Increment("delivered");
        }
    }
}
