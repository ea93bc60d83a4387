using Engine.Grains.Runtime;

using Engine.Tests.Support;

namespace Engine.Tests.Runtime;

public sealed class TurnTests
{
    [Fact]
    public async Task One_way_messages_from_one_sender_are_processed_in_order()
    {
        // A small batch makes the activation yield its thread often; some turns await.
        await using var host = await TestHost.StartAsync(r => r.Register<LogGrain>(), o => o.MaxBatch = 3);
        var log = host.Get<LogGrain>("k");
        const int count = 2000;

        for (var i = 0; i < count; i++) log.Tell(i, static (g, n) => g.AppendAsync("client", n));
        await host.IdleAsync();

        Assert.Equal(Enumerable.Range(0, count), await log.Call(g => g.EntriesAsync("client")));
    }

    [Fact]
    public async Task One_way_messages_from_each_sending_grain_keep_their_order_when_senders_interleave()
    {
        await using var host = await TestHost.StartAsync(r => r.Register<LogGrain>().Register<SenderGrain>(), o => o.MaxBatch = 3);
        const int senders = 8;
        const int count = 300;

        for (var s = 0; s < senders; s++) host.Get<SenderGrain>($"s{s}").Tell(count, static (g, n) => g.SendAsync("sink", n));
        await host.IdleAsync();

        var sink = host.Get<LogGrain>("sink");
        for (var s = 0; s < senders; s++)
        {
            var sender = $"s{s}";
            Assert.Equal(Enumerable.Range(0, count), await sink.Call(sender, static (g, from) => g.EntriesAsync(from)));
        }
    }

    [Fact]
    public async Task Call_runs_after_the_one_way_messages_sent_before_it()
    {
        await using var host = await TestHost.StartAsync(r => r.Register<LogGrain>(), o => o.MaxBatch = 3);
        var log = host.Get<LogGrain>("k");

        for (var i = 0; i < 500; i++) log.Tell(i, static (g, n) => g.AppendAsync("client", n));
        var entries = await log.Call(g => g.EntriesAsync("client"));

        Assert.Equal(Enumerable.Range(0, 500), entries);
    }

    [Fact]
    public async Task Second_call_does_not_start_while_the_first_turn_awaits()
    {
        await using var host = await TestHost.StartAsync(r => r.Register<LogGrain>());
        var log = host.Get<LogGrain>("k");
        var first = log.Call(g => g.HoldAsync("first")).AsTask();
        await host.Probe.WhenSignaled("first:entered");

        var second = log.Call(g => g.RecordAsync("second")).AsTask();
        // Other activations keep running meanwhile: a full round trip through the thread pool.
        await host.Get<LogGrain>("other").Call(g => g.RecordAsync("other"));

        Assert.False(second.IsCompleted);
        Assert.Equal(["first:start", "other"], host.Probe.Events);

        host.Probe.Signal("first:release");
        await Task.WhenAll(first, second).WaitAsync(TestHost.HangGuard);

        Assert.Equal(["first:start", "other", "first:end", "second"], host.Probe.Events);
        Assert.Equal(1, host.Probe.MaxInside("turn:k"));
    }

    [Fact]
    public async Task Concurrent_calls_from_many_threads_never_overlap_inside_one_grain()
    {
        await using var host = await TestHost.StartAsync(r => r.Register<LogGrain>(), o => o.MaxBatch = 4);
        const int threads = 8;
        const int perThread = 250;
        var calls = new Task[threads][];

        Threads.RunTogether(threads, t => calls[t] = Enumerable.Range(0, perThread).Select(i =>
        {
            var grain = host.Get<LogGrain>("k");
            if (i % 3 != 0) return grain.Call(g => g.UnsafeIncrementAsync()).AsTask();
            grain.Tell(g => g.UnsafeIncrementAsync());
            return Task.CompletedTask;
        }).ToArray());

        await Task.WhenAll(calls.SelectMany(c => c)).WaitAsync(TestHost.HangGuard);
        await host.IdleAsync();

        Assert.Equal(1, host.Probe.MaxInside("turn:k"));
        Assert.Equal(threads * perThread, await host.Get<LogGrain>("k").Call(g => g.CounterAsync()));
    }

    public sealed class LogGrain(Probe probe) : Grain
    {
        private readonly Dictionary<string, List<int>> _entries = [];
        private int _counter;

        public async ValueTask AppendAsync(string from, int value)
        {
            if (value % 5 == 0) await Task.Yield();
            if (!_entries.TryGetValue(from, out var list)) _entries[from] = list = [];
            list.Add(value);
        }

        public ValueTask<List<int>> EntriesAsync(string from) => new(_entries.GetValueOrDefault(from) ?? []);

        public async ValueTask HoldAsync(string name)
        {
            probe.Enter($"turn:{Key}");
            probe.Record($"{name}:start");
            probe.Signal($"{name}:entered");
            await probe.Gate($"{name}:release");
            probe.Record($"{name}:end");
            probe.Exit($"turn:{Key}");
        }

        public ValueTask RecordAsync(string name)
        {
            probe.Enter($"turn:{Key}");
            probe.Record(name);
            probe.Exit($"turn:{Key}");
            return default;
        }

        public async ValueTask UnsafeIncrementAsync()
        {
            probe.Enter($"turn:{Key}");
            var read = _counter;
            await Task.Yield();
            _counter = read + 1;
            probe.Exit($"turn:{Key}");
        }

        public ValueTask<int> CounterAsync() => new(_counter);
    }

    public sealed class SenderGrain : Grain
    {
        public ValueTask SendAsync(string sink, int count)
        {
            var target = GetGrain<LogGrain>(sink);
            for (var i = 0; i < count; i++) target.Tell((Key, i), static (g, m) => g.AppendAsync(m.Key, m.i));
            return default;
        }
    }
}
