using Engine.Benchmarks.Harness;

namespace Engine.Benchmarks.Actors;

/// <summary>
/// Drives Orleans flat out, in one silo as the server embeds it: awaited grain-to-grain calls, and one-way messages from many
/// senders to many sinks. Each phase runs for a fixed time; batches in flight at the end finish and count.
/// </summary>
internal sealed class RuntimeLoad : IAsyncDisposable
{
    /// <summary>Awaited calls one caller turn makes before it hands back to the driving loop.</summary>
    public const int CallsPerTurn = 1000;

    /// <summary>One-way messages one sender turn sends; the turn then waits for one call to drain.</summary>
    public const int TellsPerTurn = 256;

    private readonly BenchSilo _silo;

    private RuntimeLoad(BenchSilo silo) => _silo = silo;

    public static async Task<RuntimeLoad> StartAsync() => new(await BenchSilo.StartAsync().ConfigureAwait(false));

    public IGrainFactory Grains => _silo.Grains;

    public async Task<PhaseStats> RunCallsAsync(int callers, TimeSpan duration, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var meter = PhaseMeter.Start();
        stop.CancelAfter(duration);
        var loops = new Task<long>[callers];
        for (var i = 0; i < callers; i++) loops[i] = CallLoop(Grains.GetGrain<ICallerGrain>(BenchKeys.Of(i)), stop.Token);
        var completed = await Task.WhenAll(loops).ConfigureAwait(false);
        var stats = meter.Stop(completed.Sum());
        cancellationToken.ThrowIfCancellationRequested();
        return stats;
    }

    public async Task<PhaseStats> RunOneWayAsync(int senders, int sinks, TimeSpan duration, CancellationToken cancellationToken)
    {
        var before = await ReceivedAsync(sinks).ConfigureAwait(false);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var meter = PhaseMeter.Start();
        stop.CancelAfter(duration);
        var loops = new Task<long>[senders];
        for (var i = 0; i < senders; i++)
        {
            var batch = new SendBatch(TellsPerTurn, sinks, (int)((long)i * sinks / senders));
            loops[i] = SendLoop(Grains.GetGrain<ISenderGrain>(BenchKeys.Of(i)), batch, stop.Token);
        }
        var sent = (await Task.WhenAll(loops).ConfigureAwait(false)).Sum();
        // A sink answers this call after the messages queued before it (one silo delivers in order), so the phase ends when all were processed.
        var received = await ReceivedAsync(sinks).ConfigureAwait(false) - before;
        var stats = meter.Stop(received);
        cancellationToken.ThrowIfCancellationRequested();
        if (received != sent) throw new InvalidOperationException($"sent {sent:N0} one-way messages but the sinks processed {received:N0}");
        return stats;
    }

    private static async Task<long> CallLoop(ICallerGrain caller, CancellationToken stop)
    {
        long done = 0;
        while (!stop.IsCancellationRequested) done += await caller.CallEcho(CallsPerTurn).ConfigureAwait(false);
        return done;
    }

    private static async Task<long> SendLoop(ISenderGrain sender, SendBatch batch, CancellationToken stop)
    {
        long done = 0;
        while (!stop.IsCancellationRequested) done += await sender.Send(batch).ConfigureAwait(false);
        return done;
    }

    private async Task<long> ReceivedAsync(int sinks)
    {
        var queries = new Task<long>[sinks];
        for (var i = 0; i < sinks; i++)
            queries[i] = Grains.GetGrain<ISinkGrain>(BenchKeys.Of(i)).Received().AsTask();
        return (await Task.WhenAll(queries).ConfigureAwait(false)).Sum();
    }

    public ValueTask DisposeAsync() => _silo.DisposeAsync();
}
