using System.Net;
using Engine.Grains.Hosting;
using Engine.Persistence;
using Orleans.Configuration;
using Orleans.Dashboard;

namespace Engine.Web.Infrastructure;

/// <summary>The Orleans silo inside the web process, which the endpoints call through its <see cref="IGrainFactory"/>.</summary>
public static class EngineSiloSetup
{
    /// <summary>Orleans's default silo port; <c>Engine:Orleans:SiloPort</c> moves it (tests and several servers on one machine).</summary>
    public const int DefaultSiloPort = 11111;

    /// <summary>
    /// <c>Engine:Cluster</c> unset (the default): one silo on localhost clustering, the embedded mode.
    /// <c>Engine:Cluster</c> = <c>postgres</c>: this silo joins the cluster whose membership and reminders live in the
    /// store's PostgreSQL (migration 0006), with fast failure detection (<see cref="ClusterDefaults"/>); every silo
    /// also serves the web API. No gateway either way: the only client is the web front in the same process. The
    /// store's migrations run before the silo starts (call <c>AddEngineStore</c> first).
    /// </summary>
    public static WebApplicationBuilder AddEngineSilo(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var siloPort = configuration.GetValue("Engine:Orleans:SiloPort", DefaultSiloPort);
        var cluster = configuration["Engine:Cluster"];
        builder.UseOrleans(silo =>
        {
            if (string.IsNullOrEmpty(cluster)) silo.UseLocalhostClustering(siloPort: siloPort, gatewayPort: 0);
            else UsePostgresCluster(silo, configuration, cluster, siloPort);
            silo.AddEngineGrains();
            silo.AddDashboard();
        });
        return builder;
    }

    private static void UsePostgresCluster(ISiloBuilder silo, IConfiguration configuration, string cluster, int siloPort)
    {
        if (!string.Equals(cluster, "postgres", StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException($"Engine:Cluster must be 'postgres' (or unset for the embedded silo), not '{cluster}'.");
        var database = EnginePersistence.FromConfiguration(configuration);
        if (database.Dialect.Kind != StoreKind.Postgres)
            throw new InvalidOperationException("Engine:Cluster=postgres needs Engine:Store=postgres: the silos share their grain state, membership and reminders in PostgreSQL.");
        var address = IPAddress.Parse(configuration["Engine:Orleans:AdvertisedAddress"] ?? "127.0.0.1");
        silo.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = configuration["Engine:Orleans:ClusterId"] ?? "engine";
            o.ServiceId = "engine";
        });
        silo.ConfigureEndpoints(address, siloPort, gatewayPort: 0, listenOnAnyHostAddress: address.Equals(IPAddress.Any));
        silo.UseAdoNetClustering(o =>
        {
            o.Invariant = "Npgsql";
            o.ConnectionString = database.ConnectionString;
        });
        silo.UseAdoNetReminderService(o =>
        {
            o.Invariant = "Npgsql";
            o.ConnectionString = database.ConnectionString;
        });
        silo.Configure<ClusterMembershipOptions>(ClusterDefaults.ApplyTo);
    }
}
