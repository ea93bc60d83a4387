using System.Reflection;
using Dapper;
using Engine.Persistence;
using Engine.Tests.Persistence;
using Orleans.Configuration;
using Orleans.Runtime.MembershipService;

namespace Engine.Tests.Cluster;

/// <summary>Migration 0006: PostgreSQL only, and holding every query the two providers look up.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterSchemaTests
{
    [Fact]
    public async Task The_cluster_migration_is_recorded_on_sqlite_without_creating_its_tables()
    {
        await using var store = await TestStore.CreateAsync(StoreKind.Sqlite);
        var script = Assert.Single(Migrator.Scripts(), s => s.Name == "0006_orleans_cluster.postgres");
        Assert.Equal((6, StoreKind.Postgres), (script.Version, script.Only));

        await using var connection = await store.Database.OpenAsync();
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM schema_migrations WHERE version = 6"));
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM sqlite_master WHERE lower(name) IN ('orleansquery', 'orleans_silos', 'orleans_reminders')"));
    }

    [Fact]
    public async Task Every_query_key_the_clustering_and_reminder_providers_require_is_stored()
    {
        await using var store = await ClusterStore.CreateAsync();
        await using var connection = await store.Database.OpenAsync();
        var stored = (await connection.QueryAsync<string>("SELECT QueryKey FROM OrleansQuery")).ToHashSet(StringComparer.Ordinal);

        // Each provider's DbStoredQueries refuses to start unless every key it declares (as an internal property)
        // is stored; asking it the same way names a key a provider upgrade adds before a silo fails on it.
        var required = new[] { typeof(AdoNetClusteringTable).Assembly, typeof(AdoNetReminderTableOptions).Assembly }
            .Select(assembly => assembly.GetTypes().Single(t => t.Name == "DbStoredQueries"))
            .SelectMany(type => type.GetProperties(BindingFlags.Instance | BindingFlags.NonPublic).Select(p => p.Name))
            .ToList();

        Assert.Equal(16, required.Count);
        Assert.Subset(stored, required.ToHashSet(StringComparer.Ordinal));
        Assert.Contains("CleanupDefunctSiloEntryKey", stored);
    }
}
