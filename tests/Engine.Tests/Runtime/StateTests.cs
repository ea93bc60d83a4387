using System.Text;
using System.Text.Json;
using Engine.Grains.Runtime;

using Engine.Tests.Support;

namespace Engine.Tests.Runtime;

public sealed class StateTests
{
    private static readonly GrainId Id = new("Any", "t1", "k");

    [Fact]
    public async Task Write_with_a_stale_etag_throws_InconsistentStateException()
    {
        var storage = new MemoryGrainStorage();
        var first = await storage.WriteAsync(Id, Bytes("1"), null, default);
        var second = await storage.WriteAsync(Id, Bytes("2"), first, default);

        var error = await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteAsync(Id, Bytes("3"), first, default).AsTask());

        Assert.NotEqual(first, second);
        Assert.Equal(Id, error.Grain);
        Assert.Contains(first, error.Message, StringComparison.Ordinal);
        Assert.Contains(second, error.Message, StringComparison.Ordinal);
        var stored = await storage.ReadAsync(Id, default);
        Assert.Equal("2", Encoding.UTF8.GetString(stored!.Payload));
        Assert.Equal(second, stored.Etag);
    }

    [Fact]
    public async Task First_write_without_an_etag_fails_when_a_row_already_exists()
    {
        var storage = new MemoryGrainStorage();
        await storage.WriteAsync(Id, Bytes("1"), null, default);

        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteAsync(Id, Bytes("2"), null, default).AsTask());
    }

    [Fact]
    public async Task Write_with_an_etag_fails_when_the_row_was_cleared()
    {
        var storage = new MemoryGrainStorage();
        var etag = await storage.WriteAsync(Id, Bytes("1"), null, default);
        await storage.ClearAsync(Id, etag, default);

        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteAsync(Id, Bytes("2"), etag, default).AsTask());
        Assert.Null(await storage.ReadAsync(Id, default));
    }

    [Fact]
    public async Task Clear_with_a_stale_etag_throws_and_keeps_the_row()
    {
        var storage = new MemoryGrainStorage();
        var stale = await storage.WriteAsync(Id, Bytes("1"), null, default);
        await storage.WriteAsync(Id, Bytes("2"), stale, default);

        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearAsync(Id, stale, default).AsTask());
        Assert.NotNull(await storage.ReadAsync(Id, default));
    }

    [Fact]
    public async Task Only_one_of_many_concurrent_writes_with_the_same_etag_wins()
    {
        var storage = new MemoryGrainStorage();
        var etag = await storage.WriteAsync(Id, Bytes("0"), null, default);
        var wins = 0;
        var conflicts = 0;

        Threads.RunTogether(8, t =>
        {
            try
            {
                storage.WriteAsync(Id, Bytes($"{t}"), etag, default).AsTask().GetAwaiter().GetResult();
                Interlocked.Increment(ref wins);
            }
            catch (InconsistentStateException)
            {
                Interlocked.Increment(ref conflicts);
            }
        });

        Assert.Equal(1, wins);
        Assert.Equal(7, conflicts);
    }

    [Fact]
    public async Task Grain_whose_write_hits_a_stale_etag_fails_the_call_and_rereads_its_state_on_the_next_call()
    {
        await using var host = await TestHost.StartAsync(r => r.Register<TallyGrain>());
        var tally = host.Get<TallyGrain>("k");
        await tally.Call(g => g.AddAsync(1));
        var id = TestHost.IdOf<TallyGrain>("k");

        // Someone else (another node, an admin tool) writes the row behind the grain's back.
        var row = await host.Storage.ReadAsync(id, default);
        await host.Storage.WriteAsync(id, JsonSerializer.SerializeToUtf8Bytes(new TallyState { Total = 100 }), row!.Etag, default);

        await Assert.ThrowsAsync<InconsistentStateException>(() => tally.Call(g => g.AddAsync(5)).AsTask());

        Assert.Equal(100, await tally.Call(g => g.TotalAsync()));
        Assert.Equal(2, host.Probe.Count("constructed"));
        await tally.Call(g => g.AddAsync(5));
        var stored = await host.Storage.ReadAsync(id, default);
        Assert.Equal(105, JsonSerializer.Deserialize<TallyState>(stored!.Payload)!.Total);
    }

    [Fact]
    public async Task Grain_state_survives_reactivation_including_its_etag_for_the_next_write()
    {
        await using var host = await TestHost.StartAsync(r => r.Register<TallyGrain>());
        var tally = host.Get<TallyGrain>("k");
        await tally.Call(g => g.AddAsync(2));
        await tally.Call(g => g.DeactivateAsync());
        await host.IdleAsync();

        await tally.Call(g => g.AddAsync(3));

        Assert.Equal(5, await tally.Call(g => g.TotalAsync()));
        Assert.Equal(2, host.Probe.Count("constructed"));
    }

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    public sealed class TallyState
    {
        public int Total { get; set; }
    }

    public sealed class TallyGrain : Grain<TallyState>
    {
        public TallyGrain(Probe probe) => probe.Increment("constructed");

        public async ValueTask AddAsync(int amount)
        {
            State.State.Total += amount;
            await State.WriteStateAsync();
        }

        public ValueTask<int> TotalAsync() => new(State.State.Total);

        public ValueTask DeactivateAsync()
        {
            DeactivateOnIdle();
            return default;
        }
    }
}
