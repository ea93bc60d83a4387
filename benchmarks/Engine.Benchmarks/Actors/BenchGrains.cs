using Engine.Grains.Runtime;

namespace Engine.Benchmarks.Actors;

/// <summary>Keys made once, so that the measured loops do not allocate strings.</summary>
internal static class BenchKeys
{
    public const string Tenant = "bench";

    private static readonly string[] s_keys = Enumerable.Range(0, 4096).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();

    public static string Of(int index) => (uint)index < (uint)s_keys.Length ? s_keys[index] : index.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>The callee of the awaited-call measurement: answers at once.</summary>
internal sealed class EchoGrain : Grain
{
    private long _served;

    public ValueTask<long> Echo(long value)
    {
        _served++;
        return new ValueTask<long>(value + 1);
    }

    public ValueTask<long> Served() => new(_served);
}

/// <summary>Makes awaited calls from its own turn to the <see cref="EchoGrain"/> of the same key.</summary>
internal sealed class CallerGrain : Grain
{
    public async ValueTask<long> CallEcho(int count)
    {
        var echo = GetGrain<EchoGrain>(Key);
        long value = 0;
        for (var i = 0; i < count; i++) value = await echo.Call(value, static (grain, v) => grain.Echo(v));
        if (value != count) throw new InvalidOperationException($"expected {count} echoes, got {value}");
        return value;
    }
}

/// <summary>The receiver of one-way messages: counts what it processed.</summary>
internal sealed class SinkGrain : Grain
{
    private long _received;

    public ValueTask Receive(int amount)
    {
        _received += amount;
        return default;
    }

    public ValueTask<long> Received() => new(_received);
}

/// <summary>Sends one-way messages to a spread of <see cref="SinkGrain"/>s.</summary>
internal sealed class SenderGrain : Grain
{
    /// <summary>
    /// Tells <paramref name="batch"/>.Count sinks, one message each, round robin from this sender's own offset,
    /// then awaits a call to the last sink so that a fast sender cannot build an unbounded backlog.
    /// </summary>
    public async ValueTask<int> Send(SendBatch batch)
    {
        var next = batch.Offset;
        for (var i = 0; i < batch.Count; i++)
        {
            GetGrain<SinkGrain>(BenchKeys.Of(next)).Tell(1, static (sink, amount) => sink.Receive(amount));
            next = next + 1 == batch.Sinks ? 0 : next + 1;
        }
        var last = next == 0 ? batch.Sinks - 1 : next - 1;
        await GetGrain<SinkGrain>(BenchKeys.Of(last)).Call(static sink => sink.Received());
        return batch.Count;
    }
}

internal readonly record struct SendBatch(int Count, int Sinks, int Offset);
