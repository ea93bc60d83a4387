using System.Diagnostics;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Orleans;
using Orleans.Runtime;
using Xunit.Abstractions;

namespace Engine.Tests.Cluster;

/// <summary>Silos that meet and part through the membership tables of migration 0006.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    /// <summary>A new process compiles the silo's code before it joins: 3 s on an idle machine, 10 s on a busy one.</summary>
    private static readonly TimeSpan ProcessStart = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Two_silos_on_the_migrated_schema_form_one_cluster_and_see_each_other_active()
    {
        await using var store = await ClusterStore.CreateAsync();
        var connectionString = store.Database.ConnectionString;
        var clusterId = TestSilo.NewClusterId();

        await using var first = await RunningSilo.StartAsync(TestSilo.Build(connectionString, clusterId));
        await using var second = await RunningSilo.StartAsync(TestSilo.Build(connectionString, clusterId));
        SiloAddress[] both = [first.Address, second.Address];

        foreach (var silo in new[] { first, second })
        {
            await TestSilo.WaitForAsync(silo.Host, s => both.All(a => s.GetSiloStatus(a) == SiloStatus.Active), Patience);
            var hosts = await silo.Grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);
            Assert.Equal(both.Order(), hosts.Keys.Order());
        }

        await using var connection = await store.Database.OpenAsync();
        var rows = (await connection.QueryAsync<(string Address, int Port, int Status)>(
            "SELECT address, port, status FROM orleans_silos WHERE cluster_id = @clusterId ORDER BY port", new { clusterId })).ToList();
        Assert.Equal(both.Select(a => (a.Endpoint.Address.ToString(), a.Endpoint.Port, (int)SiloStatus.Active)).Order(), rows.Order());

        var client = TestSilo.BuildClient(connectionString, clusterId);
        await client.StartAsync();
        try
        {
            var seen = await client.Services.GetRequiredService<IClusterClient>().GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);
            Assert.Equal(both.Order(), seen.Keys.Order());
        }
        finally
        {
            await client.StopAsync();
            client.Dispose();
        }
    }

    [Fact]
    public async Task A_silo_killed_without_shutdown_is_declared_dead_by_the_other_within_seconds()
    {
        await using var store = await ClusterStore.CreateAsync();
        var connectionString = store.Database.ConnectionString;
        var clusterId = TestSilo.NewClusterId();

        await using var survivor = await RunningSilo.StartAsync(TestSilo.Build(connectionString, clusterId));
        await using var doomed = await SiloProcess.StartAsync(connectionString, clusterId, ProcessStart);
        var joined = await TestSilo.WaitForAsync(
            survivor.Host, s => s.Members.Values.Any(m => m.SiloAddress != survivor.Address && m.Status == SiloStatus.Active), Patience, () => doomed.Output);
        var victim = joined.Members.Values.Single(m => m.SiloAddress != survivor.Address).SiloAddress;

        var sinceKill = Stopwatch.StartNew();
        await doomed.KillAsync();
        await TestSilo.WaitForAsync(survivor.Host, s => s.GetSiloStatus(victim) == SiloStatus.Dead, Patience);
        sinceKill.Stop();
        output.WriteLine($"{victim} declared dead {sinceKill.Elapsed.TotalSeconds:F2} s after it was killed");

        await using var connection = await store.Database.OpenAsync();
        var row = await connection.QuerySingleAsync<(int Status, string? SuspectTimes)>(
            "SELECT status, suspect_times FROM orleans_silos WHERE cluster_id = @clusterId AND port = @port AND generation = @generation",
            new { clusterId, port = victim.Endpoint.Port, generation = victim.Generation });
        Assert.Equal((int)SiloStatus.Dead, row.Status);
        Assert.Contains(survivor.Address.ToParsableString(), row.SuspectTimes);
        Assert.InRange(sinceKill.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(8));
    }
}

/// <summary>
/// The cluster tests start silos and time failure detection: they run one at a time, and apart from the other
/// tests, whose load would otherwise delay probes and process starts on a two-core machine.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClusterCollection
{
    public const string Name = "Cluster";
}
