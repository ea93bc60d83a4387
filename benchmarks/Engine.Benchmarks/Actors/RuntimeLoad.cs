using Engine.Benchmarks.Harness;
using Engine.Grains.Runtime;
using Microsoft.Extensions.DependencyInjection;

namespace Engine.Benchmarks.Actors;

/// <summary>
/// Drives the actor runtime flat out: awaited grain-to-grain calls, and one-way messages from many
/// senders to many sinks. Each phase runs for a fixed time; batches in flight at the end finish and count.
/// </summary>
internal sealed class RuntimeLoad : IAsyncDisposable
{
    /// <summary>Awaited calls one caller turn makes before it hands back to the driving loop.</summary>
    public const int CallsPerTurn = 1000;

    /// <summary>One-way messages one sender turn sends; the turn then waits for one call to drain.</summary>
    public const int TellsPerTurn = 256;

    private readonly GrainRuntime _runtime;

    private RuntimeLoad(GrainRuntime runtime) => _runtime = runtime;

    public static async Task<RuntimeLoad> StartAsync(RuntimeOptions? options = null)
    {
        var runtime = new GrainRuntime(
            options ?? new RuntimeOptions(),
            new ServiceCollection().BuildServiceProvider(),
            TimeProvider.System,
            new MemoryGrainStorage(),
            new MemoryReminderStore());
        runtime.Register<EchoGrain>().Register<CallerGrain>().Register<SinkGrain>().Register<SenderGrain>();
        await runtime.StartAsync().ConfigureAwait(false);
        return new RuntimeLoad(runtime);
    }

    public GrainRuntime Runtime => _runtime;

    public async Task<PhaseStats> RunCallsAsync(int callers, TimeSpan duration, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var meter = PhaseMeter.Start();
        stop.CancelAfter(duration);
        var loops = new Task<long>[callers];
        for (var i = 0; i < callers; i++) loops[i] = CallLoop(_runtime.Get<CallerGrain>(BenchKeys.Tenant, BenchKeys.Of(i)), stop.Token);
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
            loops[i] = SendLoop(_runtime.Get<SenderGrain>(BenchKeys.Tenant, BenchKeys.Of(i)), batch, stop.Token);
        }
        var sent = (await Task.WhenAll(loops).ConfigureAwait(false)).Sum();
        // A sink answers this call only after every message queued before it (FIFO), so the phase ends when all were processed.
        var received = await ReceivedAsync(sinks).ConfigureAwait(false) - before;
        var stats = meter.Stop(received);
        cancellationToken.ThrowIfCancellationRequested();
        if (received != sent) throw new InvalidOperationException($"sent {sent:N0} one-way messages but the sinks processed {received:N0}");
        return stats;
    }

    private static async Task<long> CallLoop(GrainRef<CallerGrain> caller, CancellationToken stop)
    {
        long done = 0;
        while (!stop.IsCancellationRequested) done += await caller.Call(CallsPerTurn, static (grain, count) => grain.CallEcho(count)).ConfigureAwait(false);
        return done;
    }

    private static async Task<long> SendLoop(GrainRef<SenderGrain> sender, SendBatch batch, CancellationToken stop)
    {
        long done = 0;
        while (!stop.IsCancellationRequested) done += await sender.Call(batch, static (grain, b) => grain.Send(b)).ConfigureAwait(false);
        return done;
    }

    private async Task<long> ReceivedAsync(int sinks)
    {
        var queries = new Task<long>[sinks];
        for (var i = 0; i < sinks; i++)
            queries[i] = _runtime.Get<SinkGrain>(BenchKeys.Tenant, BenchKeys.Of(i)).Call(static sink => sink.Received()).AsTask();
        return (await Task.WhenAll(queries).ConfigureAwait(false)).Sum();
    }

    public ValueTask DisposeAsync() => _runtime.DisposeAsync();
}
