using System.Net;
using System.Net.Sockets;
using Dapper;
using Engine.Persistence;
using Engine.Tests.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Orleans;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Runtime;

namespace Engine.Tests.Cluster;

/// <summary>
/// Silos for the cluster tests, each in a host of its own: membership, and reminders when asked, in the tables of
/// migration 0006 on the test's PostgreSQL database; the failure detection of <see cref="ClusterDefaults"/>.
/// </summary>
internal static class TestSilo
{
    public const string ServiceId = "engine-tests";

    public static IHost Build(string connectionString, string clusterId, bool reminders = false)
    {
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(o => { o.ClusterId = clusterId; o.ServiceId = ServiceId; });
            silo.ConfigureEndpoints(IPAddress.Loopback, FreePort(), FreePort());
            silo.UseAdoNetClustering(o => { o.Invariant = "Npgsql"; o.ConnectionString = connectionString; });
            silo.Configure<ClusterMembershipOptions>(ClusterDefaults.ApplyTo);
            if (reminders)
            {
                silo.UseAdoNetReminderService(o => { o.Invariant = "Npgsql"; o.ConnectionString = connectionString; });
            }
        });
        return builder.Build();
    }

    /// <summary>A client that finds the cluster's gateways in the membership table.</summary>
    public static IHost BuildClient(string connectionString, string clusterId)
    {
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.UseOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(o => { o.ClusterId = clusterId; o.ServiceId = ServiceId; });
            client.UseAdoNetClustering(o => { o.Invariant = "Npgsql"; o.ConnectionString = connectionString; });
        });
        return builder.Build();
    }


    public static string NewClusterId() => "cluster-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>A free local TCP port, asked of the kernel.</summary>
    private static int FreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    /// <summary>
    /// Waits for the silo's view of the cluster to satisfy <paramref name="done"/>, following its membership
    /// updates (no polling); fails with the last view after <paramref name="timeout"/>.
    /// </summary>
    public static async Task<ClusterMembershipSnapshot> WaitForAsync(
        IHost silo, Func<ClusterMembershipSnapshot, bool> done, TimeSpan timeout, Func<string>? diagnostics = null)
    {
        var membership = silo.Services.GetRequiredService<IClusterMembershipService>();
        if (done(membership.CurrentSnapshot)) return membership.CurrentSnapshot;
        using var expiry = new CancellationTokenSource(timeout);
        try
        {
            await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(expiry.Token))
            {
                if (done(snapshot)) return snapshot;
            }
        }
        catch (OperationCanceledException) when (expiry.IsCancellationRequested)
        {
            // Timed out: reported below with what the silo saw.
        }
        throw new TimeoutException($"After {timeout.TotalSeconds} s the silo sees: {Describe(membership.CurrentSnapshot)}. {diagnostics?.Invoke()}");
    }

    public static string Describe(ClusterMembershipSnapshot snapshot)
        => string.Join(", ", snapshot.Members.Values.Select(m => $"{m.SiloAddress} {m.Status}"));
}

/// <summary>A started silo host, stopped (gracefully, bounded) and disposed at the end of a test.</summary>
internal sealed class RunningSilo : IAsyncDisposable
{
    private RunningSilo(IHost host) => Host = host;

    public IHost Host { get; }

    public IGrainFactory Grains => Host.Services.GetRequiredService<IGrainFactory>();

    public SiloAddress Address => Host.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;

    public static async Task<RunningSilo> StartAsync(IHost host)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await host.StartAsync(timeout.Token);
        return new RunningSilo(host);
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await Host.StopAsync(timeout.Token);
        Host.Dispose();
    }
}

/// <summary>
/// A fresh migrated PostgreSQL database (<see cref="TestStore"/>) whose sessions run in a time zone far from UTC,
/// so a timestamp stored or compared without its zone would show as hours off.
/// </summary>
internal static class ClusterStore
{
    public static async Task<TestStore> CreateAsync()
    {
        var store = await TestStore.CreateAsync(StoreKind.Postgres);
        var name = new NpgsqlConnectionStringBuilder(store.Database.ConnectionString).Database;
        await using var connection = (NpgsqlConnection)await store.Database.OpenAsync();
        await connection.ExecuteAsync($"ALTER DATABASE {name} SET timezone TO 'Asia/Shanghai'");
        NpgsqlConnection.ClearPool(connection);
        return store;
    }
}
