using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Engine.Benchmarks.Load;

namespace Engine.Benchmarks.EndToEnd;

/// <summary>
/// Every measured message from the visitor's <c>Send</c> to its arrival at the agent's workbench. A message's text carries
/// the visitor, its number and the <see cref="Stopwatch"/> timestamp it was sent at (<c>e2e:{visitor}:{n}:{ticks}</c>),
/// so the agent's <c>message</c> push alone says which message came and how long it took: both ends are in this process.
/// </summary>
internal sealed class MessageLedger
{
    private const string Prefix = "e2e:";

    /// <summary>Sent and not yet arrived, by <see cref="Key"/>: what is left after the drain was acknowledged and lost.</summary>
    private readonly ConcurrentDictionary<long, long> _pending = new();
    private long _windowEnd = long.MaxValue;
    private long _sent;
    private long _acknowledged;
    private long _sendErrors;
    private long _inFlight;
    private long _arrived;
    private long _arrivedInWindow;
    private long _unmatched;

    public LatencyHistogram VisitorToAgent { get; } = new();

    public LatencyHistogram SendAck { get; } = new();

    public long Sent => Interlocked.Read(ref _sent);

    public long Acknowledged => Interlocked.Read(ref _acknowledged);

    public long SendErrors => Interlocked.Read(ref _sendErrors);

    /// <summary><c>Send</c> calls not answered yet.</summary>
    public long InFlight => Interlocked.Read(ref _inFlight);

    public long Arrived => Interlocked.Read(ref _arrived);

    /// <summary>Arrivals up to the end of the measured window: what the throughput is counted from.</summary>
    public long ArrivedInWindow => Interlocked.Read(ref _arrivedInWindow);

    /// <summary>Arrivals of no pending message: a second push of one already counted, or one whose <c>Send</c> failed.</summary>
    public long Unmatched => Interlocked.Read(ref _unmatched);

    /// <summary>Acknowledged messages that have not arrived (yet, before the drain ends; for good, after it).</summary>
    public long Missing => _pending.Count - InFlight;

    /// <summary>Arrivals after this <see cref="Stopwatch"/> timestamp no longer count toward the window's throughput.</summary>
    public void EndWindowAt(long timestamp) => Interlocked.Exchange(ref _windowEnd, timestamp);

    /// <summary>The text of the visitor's <paramref name="n"/>th measured message, registered as pending before it is sent.</summary>
    public string Sending(int visitor, int n, long timestamp)
    {
        _pending[Key(visitor, n)] = timestamp;
        Interlocked.Increment(ref _sent);
        Interlocked.Increment(ref _inFlight);
        return string.Create(CultureInfo.InvariantCulture, $"{Prefix}{visitor}:{n}:{timestamp}");
    }

    /// <summary>The <c>Send</c> was answered: the server took the message.</summary>
    public void Acknowledge(long sentAt)
    {
        SendAck.Record(Stopwatch.GetElapsedTime(sentAt));
        Interlocked.Increment(ref _acknowledged);
        Interlocked.Decrement(ref _inFlight);
    }

    /// <summary>The <c>Send</c> failed: the message no longer counts as pending (it is an error, not a loss).</summary>
    public void Failed(int visitor, int n)
    {
        _pending.TryRemove(Key(visitor, n), out _);
        Interlocked.Increment(ref _sendErrors);
        Interlocked.Decrement(ref _inFlight);
    }

    /// <summary>A visitor's message pushed to an agent's workbench; texts that are not measured messages are ignored.</summary>
    public void Arrival(string? content, long arrivedAt)
    {
        if (content is null || !content.StartsWith(Prefix, StringComparison.Ordinal)) return;
        var fields = content.AsSpan(Prefix.Length);
        Span<Range> parts = stackalloc Range[4];
        if (fields.Split(parts, ':') != 3
            || !int.TryParse(fields[parts[0]], NumberStyles.None, CultureInfo.InvariantCulture, out var visitor)
            || !int.TryParse(fields[parts[1]], NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            Interlocked.Increment(ref _unmatched);
            return;
        }
        if (!_pending.TryRemove(Key(visitor, n), out var sentAt))
        {
            Interlocked.Increment(ref _unmatched);
            return;
        }
        VisitorToAgent.Record(Stopwatch.GetElapsedTime(sentAt, arrivedAt));
        Interlocked.Increment(ref _arrived);
        if (arrivedAt <= Interlocked.Read(ref _windowEnd)) Interlocked.Increment(ref _arrivedInWindow);
    }

    private static long Key(int visitor, int n) => ((long)visitor << 32) | (uint)n;
}
