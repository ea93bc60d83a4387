using System.Net;
using Dapper;
using Engine.Tests.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Configuration;
using Orleans.Runtime;
using Orleans.Runtime.MembershipService;

namespace Engine.Tests.Cluster;

/// <summary>
/// The membership protocol's contract, through the provider's own table class on the tables of migration 0006:
/// what a silo may write depends on the table version it read.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class MembershipTableTests
{
    private static readonly DateTime Start = new(2026, 12, 2, 8, 0, 0, 250, DateTimeKind.Utc);

    [Fact]
    public async Task A_silo_row_is_written_only_from_the_current_table_version_and_a_heartbeat_leaves_the_version_alone()
    {
        await using var store = await ClusterStore.CreateAsync();
        var table = await OpenAsync(store, TestSilo.NewClusterId());

        var empty = await table.ReadAllAsync();
        Assert.Empty(empty.Members);
        var joining = Silo(11111, SiloStatus.Joining);
        Assert.True(await table.InsertRowAsync(joining, empty.Version.Next()));
        Assert.False(await table.InsertRowAsync(Silo(22222, SiloStatus.Joining), empty.Version.Next()));

        var one = await table.ReadAllAsync();
        Assert.Equal(empty.Version.Version + 1, one.Version.Version);
        Assert.False(await table.InsertRowAsync(joining, one.Version.Next()));
        var (read, etag) = Assert.Single(one.Members);
        Assert.Equal((joining.SiloAddress, joining.SiloName, joining.HostName, joining.Status, joining.ProxyPort, joining.StartTime, joining.IAmAliveTime),
            (read.SiloAddress, read.SiloName, read.HostName, read.Status, read.ProxyPort, read.StartTime, read.IAmAliveTime));

        var active = Copy(read);
        active.Status = SiloStatus.Active;
        Assert.True(await table.UpdateRowAsync(active, etag, one.Version.Next()));
        var suspected = Copy(active);
        suspected.AddOrUpdateSuspector(SiloAddress.New(IPAddress.Loopback, 33333, 3), Start.AddSeconds(9), 2);
        Assert.False(await table.UpdateRowAsync(suspected, etag, one.Version.Next()));

        var two = await table.ReadAllAsync();
        active.IAmAliveTime = Start.AddSeconds(5);
        await table.UpdateIAmAliveAsync(active);
        var row = await table.ReadRowAsync(active.SiloAddress);
        Assert.Equal(two.Version, row.Version);
        Assert.Equal((SiloStatus.Active, Start.AddSeconds(5)), (row.Members[0].Item1.Status, row.Members[0].Item1.IAmAliveTime));

        var unknown = await table.ReadRowAsync(SiloAddress.New(IPAddress.Loopback, 44444, 4));
        Assert.Empty(unknown.Members);
        Assert.Equal(two.Version, unknown.Version);
    }

    [Fact]
    public async Task Of_silos_joining_from_the_same_table_version_exactly_one_succeeds()
    {
        await using var store = await ClusterStore.CreateAsync();
        var clusterId = TestSilo.NewClusterId();
        var tables = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => OpenAsync(store, clusterId)));
        var version = (await tables[0].ReadAllAsync()).Version.Next();

        var results = await Task.WhenAll(tables.Select((t, i) => Task.Run(() => t.InsertRowAsync(Silo(20000 + i, SiloStatus.Joining), version))));

        Assert.Single(results, r => r);
        Assert.Single((await tables[0].ReadAllAsync()).Members);
    }

    [Fact]
    public async Task A_dead_silo_row_is_cleaned_up_with_its_votes_and_a_live_one_stays()
    {
        await using var store = await ClusterStore.CreateAsync();
        var clusterId = TestSilo.NewClusterId();
        var table = await OpenAsync(store, clusterId);
        var voter = SiloAddress.New(IPAddress.Loopback, 30000, 3);
        foreach (var port in new[] { 11111, 22222 })
        {
            var version = (await table.ReadAllAsync()).Version;
            Assert.True(await table.InsertRowAsync(Silo(port, SiloStatus.Active), version.Next()));
        }
        var snapshot = await table.ReadAllAsync();
        var dead = snapshot.Members.Single(m => m.Item1.SiloAddress.Endpoint.Port == 11111);
        var declared = Copy(dead.Item1);
        declared.Status = SiloStatus.Dead;
        declared.AddOrUpdateSuspector(voter, Start.AddSeconds(3), 1);
        Assert.True(await table.UpdateRowAsync(declared, dead.Item2, snapshot.Version.Next()));
        var stored = (await table.ReadRowAsync(declared.SiloAddress)).Members[0].Item1;
        Assert.Equal([(voter, Start.AddSeconds(3))], stored.SuspectTimes!.Select(v => (v.Item1, v.Item2)));

        await table.CleanupDefunctSiloEntriesAsync(Start.AddMinutes(1));

        var left = await table.ReadAllAsync();
        Assert.Equal(22222, Assert.Single(left.Members).Item1.SiloAddress.Endpoint.Port);

        await table.DeleteMembershipTableEntriesAsync(clusterId);
        await using var connection = await store.Database.OpenAsync();
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>(
            "SELECT (SELECT COUNT(*) FROM orleans_silos) + (SELECT COUNT(*) FROM orleans_membership_versions)"));
    }

    [Fact]
    public async Task The_required_bulk_cleanup_query_removes_only_dead_rows_silent_since_before_the_cutoff()
    {
        await using var store = await ClusterStore.CreateAsync();
        var clusterId = TestSilo.NewClusterId();
        var table = await OpenAsync(store, clusterId);
        foreach (var (port, status, alive) in new[] { (11111, SiloStatus.Dead, Start), (22222, SiloStatus.Dead, Start.AddHours(2)), (33333, SiloStatus.Active, Start) })
        {
            var version = (await table.ReadAllAsync()).Version;
            var entry = Silo(port, status);
            entry.IAmAliveTime = alive;
            Assert.True(await table.InsertRowAsync(entry, version.Next()));
        }

        // The provider runs this key only while CleanupDefunctSiloEntryKey is absent; run it as the provider would.
        await using var connection = await store.Database.OpenAsync();
        var cleanup = await connection.ExecuteScalarAsync<string>("SELECT QueryText FROM OrleansQuery WHERE QueryKey = 'CleanupDefunctSiloEntriesKey'");
        await connection.ExecuteAsync(cleanup!, new { DeploymentId = clusterId, IAmAliveTime = Start.AddHours(1) });

        Assert.Equal([22222, 33333], (await table.ReadAllAsync()).Members.Select(m => m.Item1.SiloAddress.Endpoint.Port).Order());
    }

    private static async Task<AdoNetClusteringTable> OpenAsync(TestStore store, string clusterId)
    {
        var table = new AdoNetClusteringTable(
            new ServiceCollection().BuildServiceProvider(),
            Options.Create(new ClusterOptions { ClusterId = clusterId, ServiceId = TestSilo.ServiceId }),
            Options.Create(new AdoNetClusteringSiloOptions { Invariant = "Npgsql", ConnectionString = store.Database.ConnectionString }),
            NullLogger<AdoNetClusteringTable>.Instance);
        await table.InitializeMembershipTableAsync(tryInitTableVersion: true);
        return table;
    }

    private static MembershipEntry Copy(MembershipEntry entry) => new()
    {
        SiloAddress = entry.SiloAddress,
        SiloName = entry.SiloName,
        HostName = entry.HostName,
        Status = entry.Status,
        ProxyPort = entry.ProxyPort,
        StartTime = entry.StartTime,
        IAmAliveTime = entry.IAmAliveTime,
        SuspectTimes = entry.SuspectTimes?.ToList(),
    };

    private static MembershipEntry Silo(int port, SiloStatus status) => new()
    {
        SiloAddress = SiloAddress.New(IPAddress.Loopback, port, 7),
        SiloName = $"silo-{port}",
        HostName = "test-host",
        Status = status,
        ProxyPort = port + 1,
        StartTime = Start,
        IAmAliveTime = Start,
    };
}
