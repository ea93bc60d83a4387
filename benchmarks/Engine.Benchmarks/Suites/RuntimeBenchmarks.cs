using BenchmarkDotNet.Attributes;
using Engine.Benchmarks.Actors;
using Engine.Grains.Runtime;

namespace Engine.Benchmarks.Suites;

/// <summary>
/// Cost of one message in the actor runtime, one activation pair at a time (no contention). The harness
/// command <c>runtime</c> measures throughput with every core busy. Not sealed: BenchmarkDotNet derives from suites.
/// </summary>
public class RuntimeBenchmarks
{
    private RuntimeLoad? _load;
    private GrainRef<CallerGrain> _caller;
    private GrainRef<SenderGrain> _sender;
    private GrainRef<EchoGrain> _echo;

    [GlobalSetup]
    public void Setup()
    {
        _load = RuntimeLoad.StartAsync().GetAwaiter().GetResult();
        _caller = _load.Runtime.Get<CallerGrain>(BenchKeys.Tenant, BenchKeys.Of(0));
        _sender = _load.Runtime.Get<SenderGrain>(BenchKeys.Tenant, BenchKeys.Of(0));
        _echo = _load.Runtime.Get<EchoGrain>(BenchKeys.Tenant, BenchKeys.Of(1));
        // Activate every grain outside the measurement.
        AwaitedCall().AsTask().GetAwaiter().GetResult();
        OneWayMessage().AsTask().GetAwaiter().GetResult();
        ClientCall().AsTask().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup() => _load?.DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>A grain turn awaiting a call to another activation, per call.</summary>
    [Benchmark(OperationsPerInvoke = RuntimeLoad.CallsPerTurn)]
    public ValueTask<long> AwaitedCall() => _caller.Call(RuntimeLoad.CallsPerTurn, static (grain, count) => grain.CallEcho(count));

    /// <summary>A one-way message from a grain to one of 64 others, per message, processing included.</summary>
    [Benchmark(OperationsPerInvoke = RuntimeLoad.TellsPerTurn)]
    public ValueTask<int> OneWayMessage() => _sender.Call(new SendBatch(RuntimeLoad.TellsPerTurn, 64, 0), static (grain, batch) => grain.Send(batch));

    /// <summary>A call from outside the runtime (a hub, an endpoint) and back: includes the thread-pool hop.</summary>
    [Benchmark]
    public ValueTask<long> ClientCall() => _echo.Call(0L, static (grain, value) => grain.Echo(value));
}
