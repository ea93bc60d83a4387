using System.Diagnostics;
using Engine.Agents;
using Engine.Benchmarks.Harness;
using Engine.Benchmarks.Load;
using Engine.Persistence;

namespace Engine.Benchmarks.Storage;

/// <summary><c>durability</c>: history rows written through the group commit, each acknowledged only once durable.</summary>
internal sealed class DurabilityCommand : IHarnessCommand
{
    public string Summary => "durable history writes per second and acknowledgement latency through the group commit";

    public IReadOnlyList<HarnessOption> Options { get; } =
    [
        new("store", OptionKind.Text, "sqlite or postgres (postgres reads ConnectionStrings__Engine)", "sqlite", Placeholder: "STORE"),
        HarnessOption.Seconds(10),
        new("warmup", OptionKind.Number, "warm-up seconds, excluded from the figures", "1", AllowZero: true),
        new("writers", OptionKind.Integer, "concurrent writers, each waiting for its acknowledgement before the next write", "128"),
        HarnessOption.Json,
    ];

    public async Task<int> RunAsync(ParsedOptions options, CancellationToken cancellationToken)
    {
        var storeName = options.GetText("store")!;
        if (storeName == "memory") throw new UsageException("durability needs a store: --store sqlite or --store postgres");
        await using var store = await HarnessStore.OpenAsync(storeName, cancellationToken).ConfigureAwait(false);
        var history = new HistoryStore(store.Commit!);
        var latency = new LatencyHistogram();
        var tenant = "bench-" + Guid.NewGuid().ToString("N")[..8];
        long written = 0;
        var measuring = false;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

        var writers = Enumerable.Range(0, options.GetInt("writers")).Select(w => Task.Run(async () =>
        {
            var agent = "a" + w;
            while (!stop.IsCancellationRequested)
            {
                var started = Stopwatch.GetTimestamp();
                await history.AppendStatusChangeAsync(tenant, agent, AgentStatus.Idle, AgentStatus.Busy, "bench", DateTimeOffset.UtcNow).ConfigureAwait(false);
                if (!Volatile.Read(ref measuring)) continue;
                latency.Record(Stopwatch.GetElapsedTime(started));
                Interlocked.Increment(ref written);
            }
        }, CancellationToken.None)).ToList();

        await HarnessClock.WaitAsync(options.GetSeconds("warmup"), cancellationToken).ConfigureAwait(false);
        var batchesBefore = store.Commit!.Batches;
        var writesBefore = store.Commit.Writes;
        Volatile.Write(ref measuring, true);
        var meter = PhaseMeter.Start();
        await HarnessClock.WaitAsync(options.GetSeconds("seconds"), cancellationToken).ConfigureAwait(false);
        var stats = meter.Stop(Interlocked.Read(ref written));
        Volatile.Write(ref measuring, false);
        var batches = store.Commit.Batches - batchesBefore;
        var writes = store.Commit.Writes - writesBefore;
        stop.Cancel();
        await Task.WhenAll(writers).ConfigureAwait(false);

        var result = new DurabilityResult(
            storeName,
            Math.Round(stats.PerSecond),
            latency.Percentile(0.50),
            latency.Percentile(0.99),
            stats.Operations,
            batches,
            batches == 0 ? 0 : Math.Round((double)writes / batches, 1),
            options.GetInt("writers"),
            Math.Round(stats.Elapsed.TotalSeconds, 3),
            Math.Round(stats.CpuUtilization, 3));
        await HarnessOutput.WriteAsync("durability", result, options.GetText("json"), cancellationToken).ConfigureAwait(false);
        return 0;
    }
}

internal sealed record DurabilityResult(
    string Store,
    double DurableWritesPerSecond,
    double AckP50Ms,
    double AckP99Ms,
    long Writes,
    long Transactions,
    double WritesPerTransaction,
    int Writers,
    double Seconds,
    double CpuUtilization);
