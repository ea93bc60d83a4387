using Engine.Grains.Hosting;

namespace Engine.Web.Infrastructure;

/// <summary>The Orleans silo inside the web process, which the endpoints call through its <see cref="IGrainFactory"/>.</summary>
public static class EngineSiloSetup
{
    /// <summary>Orleans's default silo port; <c>Engine:Orleans:SiloPort</c> moves it (tests and several servers on one machine).</summary>
    public const int DefaultSiloPort = 11111;

    /// <summary>
    /// Embedded (the default): one silo on localhost clustering. No gateway: the only client is the web front
    /// in the same process. The store's migrations run before the silo starts (call <c>AddEngineStore</c> first).
    /// </summary>
    public static WebApplicationBuilder AddEngineSilo(this WebApplicationBuilder builder)
    {
        var siloPort = builder.Configuration.GetValue("Engine:Orleans:SiloPort", DefaultSiloPort);
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(siloPort: siloPort, gatewayPort: 0);
            silo.AddEngineGrains();
        });
        return builder;
    }
}
