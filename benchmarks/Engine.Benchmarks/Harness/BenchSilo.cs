using Engine.Grains.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Engine.Benchmarks.Harness;

/// <summary>
/// One Orleans silo in the harness process, as the server embeds it (localhost clustering, no gateway), with the
/// engine's grains and whatever <paramref name="configure"/> adds; calls go through the silo's own grain factory.
/// </summary>
internal sealed class BenchSilo : IAsyncDisposable
{
    private readonly IHost _host;

    private BenchSilo(IHost host) => _host = host;

    public IGrainFactory Grains => _host.Services.GetRequiredService<IGrainFactory>();

    public IServiceProvider Services => _host.Services;

    public static async Task<BenchSilo> StartAsync(Action<IServiceCollection>? configure = null, Action<ISiloBuilder>? silo = null, CancellationToken cancellationToken = default)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders().AddConsole().SetMinimumLevel(LogLevel.Warning);
        configure?.Invoke(builder.Services);
        builder.UseOrleans(s =>
        {
            s.UseLocalhostClustering(siloPort: Engine.Driver.EngineServer.FreePort(), gatewayPort: 0);
            s.AddEngineGrains();
            silo?.Invoke(s);
        });
        var host = builder.Build();
        await host.StartAsync(cancellationToken).ConfigureAwait(false);
        return new BenchSilo(host);
    }

    /// <summary>Activations on this silo, as Orleans's management grain counts them.</summary>
    public Task<int> ActivationCountAsync() => Grains.GetGrain<IManagementGrain>(0).GetTotalActivationCount();

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync().ConfigureAwait(false);
        _host.Dispose();
    }
}
