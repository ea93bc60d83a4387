using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Orleans;
using Orleans.Runtime;

namespace Engine.Tests.Cluster;

/// <summary>Reminders kept by Microsoft.Orleans.Reminders.AdoNet in the table of migration 0006.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ReminderTableTests
{
    [Fact]
    public async Task A_reminder_registered_by_a_grain_is_stored_read_back_and_removed()
    {
        await using var store = await ClusterStore.CreateAsync();
        await using var silo = await RunningSilo.StartAsync(TestSilo.Build(store.Database.ConnectionString, TestSilo.NewClusterId(), reminders: true));
        var grain = silo.Grains.GetGrain<IWakeUpGrain>("conversation-1");

        var armedAt = DateTime.UtcNow;
        await grain.Arm("offer-deadline", TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(1));
        Assert.Equal(["offer-deadline"], await grain.Armed());
        Assert.True(await grain.IsArmed("offer-deadline"));

        await using var connection = await store.Database.OpenAsync();
        var row = await connection.QuerySingleAsync<(string GrainId, int GrainHash, DateTime StartsAt, long PeriodMs)>(
            "SELECT grain_id, grain_hash, starts_at, period_ms FROM orleans_reminders WHERE service_id = @ServiceId AND reminder_name = 'offer-deadline'",
            new { TestSilo.ServiceId });
        var grainId = grain.GetGrainId();
        Assert.Equal(grainId.ToString(), row.GrainId);
        Assert.Equal((int)grainId.GetUniformHashCode(), row.GrainHash);
        Assert.Equal(60_000, row.PeriodMs);
        Assert.InRange(row.StartsAt.ToUniversalTime() - armedAt, TimeSpan.FromMinutes(4.5), TimeSpan.FromMinutes(5.5));

        await grain.Disarm("offer-deadline");
        Assert.Empty(await grain.Armed());
        Assert.False(await grain.IsArmed("offer-deadline"));
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM orleans_reminders"));
    }

    [Fact]
    public async Task A_reminders_etag_changes_with_every_upsert_and_a_stale_etag_removes_nothing()
    {
        await using var store = await ClusterStore.CreateAsync();
        await using var silo = await RunningSilo.StartAsync(TestSilo.Build(store.Database.ConnectionString, TestSilo.NewClusterId(), reminders: true));
        var table = silo.Host.Services.GetRequiredService<IReminderTable>();
        var grain = GrainId.Create("wake-up", "conversation-2");
        var startAt = new DateTime(2026, 12, 2, 8, 30, 15, 123, DateTimeKind.Utc);

        var first = await table.UpsertRow(Entry(grain, "r", startAt, TimeSpan.FromMinutes(1)));
        var second = await table.UpsertRow(Entry(grain, "r", startAt.AddMinutes(1), TimeSpan.FromDays(30)));
        Assert.NotEqual(first, second);

        var read = await table.ReadRow(grain, "r");
        Assert.NotNull(read);
        Assert.Equal((grain, "r", startAt.AddMinutes(1), TimeSpan.FromDays(30), second), (read.GrainId, read.ReminderName, read.StartAt, read.Period, read.ETag));
        Assert.Equal(DateTimeKind.Utc, read.StartAt.Kind);
        Assert.Null(await table.ReadRow(grain, "other"));

        Assert.False(await table.RemoveRow(grain, "r", first!));
        Assert.NotNull(await table.ReadRow(grain, "r"));
        Assert.True(await table.RemoveRow(grain, "r", second!));
        Assert.Empty((await table.ReadRows(grain)).Reminders);
    }

    [Fact]
    public async Task A_range_read_returns_exactly_the_reminders_hashed_into_that_arc_of_the_ring()
    {
        await using var store = await ClusterStore.CreateAsync();
        await using var silo = await RunningSilo.StartAsync(TestSilo.Build(store.Database.ConnectionString, TestSilo.NewClusterId(), reminders: true));
        var table = silo.Host.Services.GetRequiredService<IReminderTable>();
        var grains = Enumerable.Range(0, 24).Select(i => GrainId.Create("wake-up", $"grain-{i}")).ToList();
        foreach (var grain in grains)
        {
            await table.UpsertRow(Entry(grain, "r", DateTime.UtcNow, TimeSpan.FromMinutes(1)));
        }
        var hashes = grains.Select(g => g.GetUniformHashCode()).ToList();
        Assert.Contains(hashes, h => h < 0x8000_0000u);
        Assert.Contains(hashes, h => h >= 0x8000_0000u);

        // Every arc between two of the grains' hashes or the edges of the signed and unsigned ranges, both ways:
        // begin is excluded, end included, and an arc may wrap past the top of either order.
        uint[] bounds = [.. hashes, 0, 1, 0x7FFF_FFFF, 0x8000_0000, uint.MaxValue];
        foreach (var begin in bounds)
        {
            foreach (var end in bounds)
            {
                var expected = grains.Where(g => InArc(g.GetUniformHashCode(), begin, end)).Select(g => g.ToString()).Order(StringComparer.Ordinal);
                var actual = (await table.ReadRows(begin, end)).Reminders.Select(r => r.GrainId.ToString()).Order(StringComparer.Ordinal);
                Assert.True(expected.SequenceEqual(actual), $"arc ({begin:x8}, {end:x8}]: expected [{string.Join(", ", expected)}], read [{string.Join(", ", actual)}]");
            }
        }
    }

    /// <summary>The ring arc (begin, end]; begin = end is the whole ring.</summary>
    private static bool InArc(uint hash, uint begin, uint end) => begin < end ? hash > begin && hash <= end : hash > begin || hash <= end;

    private static ReminderEntry Entry(GrainId grain, string name, DateTime startAt, TimeSpan period)
        => new() { GrainId = grain, ReminderName = name, StartAt = startAt, Period = period };
}
