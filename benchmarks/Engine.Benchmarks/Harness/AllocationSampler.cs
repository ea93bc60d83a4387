using System.Diagnostics.Tracing;

namespace Engine.Benchmarks.Harness;

/// <summary>
/// Samples allocations in process through the runtime's GC allocation-tick events (one event per
/// ~100 KB allocated, naming the type that crossed the mark), to show which types a run allocates most.
/// </summary>
internal sealed class AllocationSampler : EventListener
{
    private const int AllocationTickEventId = 10;
    private readonly Dictionary<string, long> _bytesByType = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private volatile bool _recording;

    public void Start() => _recording = true;

    public void Stop() => _recording = false;

    /// <summary>The types with the most sampled bytes, as shares of all sampled bytes.</summary>
    public IReadOnlyList<AllocationShare> Top(int count)
    {
        lock (_gate)
        {
            var total = Math.Max(1, _bytesByType.Values.Sum());
            return [.. _bytesByType.OrderByDescending(p => p.Value).Take(count)
                .Select(p => new AllocationShare(p.Key, Math.Round(100.0 * p.Value / total, 1)))];
        }
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
            EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)0x1);
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (!_recording || eventData.EventId != AllocationTickEventId || eventData.Payload is null || eventData.PayloadNames is null) return;
        var type = eventData.PayloadNames.IndexOf("TypeName") is var t and >= 0 ? eventData.Payload[t] as string : null;
        var amount = eventData.PayloadNames.IndexOf("AllocationAmount64") is var a and >= 0 ? Convert.ToInt64(eventData.Payload[a], System.Globalization.CultureInfo.InvariantCulture) : 0;
        if (type is null) return;
        lock (_gate) _bytesByType[type] = _bytesByType.GetValueOrDefault(type) + amount;
    }
}

internal sealed record AllocationShare(string Type, double Percent);
