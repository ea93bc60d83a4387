using BenchmarkDotNet.Attributes;
using Engine.Benchmarks.Actors;

namespace Engine.Benchmarks.Suites;

/// <summary>
/// Cost of one Orleans grain call, one activation pair at a time (no contention). The harness
/// command <c>runtime</c> measures throughput with every core busy. Not sealed: BenchmarkDotNet derives from suites.
/// </summary>
public class RuntimeBenchmarks
{
    private RuntimeLoad? _load;
    private ICallerGrain _caller = null!;
    private ISenderGrain _sender = null!;
    private IEchoGrain _echo = null!;

    [GlobalSetup]
    public void Setup()
    {
        _load = RuntimeLoad.StartAsync().GetAwaiter().GetResult();
        _caller = _load.Grains.GetGrain<ICallerGrain>(BenchKeys.Of(0));
        _sender = _load.Grains.GetGrain<ISenderGrain>(BenchKeys.Of(0));
        _echo = _load.Grains.GetGrain<IEchoGrain>(BenchKeys.Of(1));
        // Activate every grain outside the measurement.
        AwaitedCall().AsTask().GetAwaiter().GetResult();
        OneWayMessage().AsTask().GetAwaiter().GetResult();
        ClientCall().AsTask().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup() => _load?.DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>A grain turn awaiting a call to another activation, per call.</summary>
    [Benchmark(OperationsPerInvoke = RuntimeLoad.CallsPerTurn)]
    public ValueTask<long> AwaitedCall() => _caller.CallEcho(RuntimeLoad.CallsPerTurn);

    /// <summary>A one-way message from a grain to one of 64 others, per message, processing included.</summary>
    [Benchmark(OperationsPerInvoke = RuntimeLoad.TellsPerTurn)]
    public ValueTask<int> OneWayMessage() => _sender.Send(new SendBatch(RuntimeLoad.TellsPerTurn, 64, 0));

    /// <summary>A call from outside the grains (a hub, an endpoint) and back: includes the thread-pool hop.</summary>
    [Benchmark]
    public ValueTask<long> ClientCall() => _echo.Echo(0L);
}
