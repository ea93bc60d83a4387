using Orleans.Concurrency;

namespace Engine.Benchmarks.Actors;

/// <summary>Keys made once, so that the measured loops do not allocate strings.</summary>
internal static class BenchKeys
{
    private static readonly string[] s_keys = Enumerable.Range(0, 4096).Select(i => "bench/" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();

    public static string Of(int index) => (uint)index < (uint)s_keys.Length ? s_keys[index] : "bench/" + index.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>The callee of the awaited-call measurement: answers at once.</summary>
public interface IEchoGrain : IGrainWithStringKey
{
    ValueTask<long> Echo(long value);
}

/// <summary>Makes awaited calls from its own turn to the <see cref="IEchoGrain"/> of the same key.</summary>
public interface ICallerGrain : IGrainWithStringKey
{
    ValueTask<long> CallEcho(int count);
}

/// <summary>The receiver of one-way messages: counts what it processed.</summary>
public interface ISinkGrain : IGrainWithStringKey
{
    [OneWay]
    ValueTask Receive(int amount);

    ValueTask<long> Received();
}

/// <summary>Sends one-way messages to a spread of <see cref="ISinkGrain"/>s.</summary>
public interface ISenderGrain : IGrainWithStringKey
{
    ValueTask<int> Send(SendBatch batch);
}

[GenerateSerializer, Immutable]
public readonly record struct SendBatch(int Count, int Sinks, int Offset);

internal sealed class EchoGrain : Grain, IEchoGrain
{
    public ValueTask<long> Echo(long value) => new(value + 1);
}

internal sealed class CallerGrain : Grain, ICallerGrain
{
    private IEchoGrain? _echo;

    public async ValueTask<long> CallEcho(int count)
    {
        var echo = _echo ??= GrainFactory.GetGrain<IEchoGrain>(this.GetPrimaryKeyString());
        long value = 0;
        for (var i = 0; i < count; i++) value = await echo.Echo(value);
        if (value != count) throw new InvalidOperationException($"expected {count} echoes, got {value}");
        return value;
    }
}

internal sealed class SinkGrain : Grain, ISinkGrain
{
    private long _received;

    public ValueTask Receive(int amount)
    {
        _received += amount;
        return default;
    }

    public ValueTask<long> Received() => new(_received);
}

internal sealed class SenderGrain : Grain, ISenderGrain
{
    /// <summary>
    /// Tells <paramref name="batch"/>.Count sinks, one message each, round robin from this sender's own offset,
    /// then awaits a call to the last sink so that a fast sender cannot build an unbounded backlog.
    /// </summary>
    public async ValueTask<int> Send(SendBatch batch)
    {
        var sinks = Sinks(batch.Sinks);
        var next = batch.Offset;
        for (var i = 0; i < batch.Count; i++)
        {
            _ = sinks[next].Receive(1);
            next = next + 1 == sinks.Length ? 0 : next + 1;
        }
        var last = next == 0 ? sinks.Length - 1 : next - 1;
        await sinks[last].Received();
        return batch.Count;
    }

    private ISinkGrain[] _sinks = [];

    /// <summary>The sinks' references, made once per sender as the engine's grains keep the references they call.</summary>
    private ISinkGrain[] Sinks(int count)
    {
        if (_sinks.Length != count) _sinks = [.. Enumerable.Range(0, count).Select(i => GrainFactory.GetGrain<ISinkGrain>(BenchKeys.Of(i)))];
        return _sinks;
    }
}
