using Engine.Grains.Hosting;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Engine.Web.Tests.Support;

/// <summary>
/// The real Kestrel server on a fake clock: grain timers fire when the test moves the clock, and
/// <see cref="AdvanceAsync"/> waits until the grain turns they started are done.
/// </summary>
public class FakeClockServer(DateTimeOffset start) : KestrelEngineFactory
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    public FakeTimeProvider FakeClock { get; } = new(start);

    public Quiescence Quiescence { get; } = new() { Enabled = true };

    public override TimeProvider? Clock => FakeClock;

    public async Task AdvanceAsync(TimeSpan by)
    {
        FakeClock.Advance(by);
        await Quiescence.WhenIdle().WaitAsync(Patience);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services =>
        {
            services.AddSingleton(Quiescence);
            services.AddSingleton<Orleans.IOutgoingGrainCallFilter, EngineOneWayCounter>();
        });
    }
}
