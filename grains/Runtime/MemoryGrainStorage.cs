using System.Collections.Concurrent;
using System.Globalization;

namespace Engine.Grains.Runtime;

/// <summary>
/// Grain state kept in process memory as serialized bytes, with the same ETag rules as a database.
/// Each key has its own slot updated by compare-and-swap, so writers of different grains never wait on each other.
/// </summary>
public sealed class MemoryGrainStorage : IGrainStorage
{
    private readonly ConcurrentDictionary<GrainId, Slot> _rows = new(Environment.ProcessorCount * 32, 1024);

    // Each new slot starts its write count far from every other slot's, so an ETag never repeats after a clear.
    private long _slots;

    public int Count => _rows.Count(r => r.Value.Current is not null);

    public ValueTask<StoredState?> ReadAsync(GrainId grain, CancellationToken cancellationToken)
        => new(_rows.TryGetValue(grain, out var slot) ? Volatile.Read(ref slot.Current) : null);

    public ValueTask<string> WriteAsync(GrainId grain, byte[] payload, string? etag, CancellationToken cancellationToken)
    {
        var slot = _rows.GetOrAdd(grain, static (_, self) => new Slot { Writes = Interlocked.Increment(ref self._slots) << 32 }, this);
        var current = Volatile.Read(ref slot.Current);
        // ETags count writes per key; the CAS below makes two writers from the same ETag conflict.
        var next = new StoredState(payload, (Interlocked.Increment(ref slot.Writes)).ToString(CultureInfo.InvariantCulture));
        if (current?.Etag != etag || Interlocked.CompareExchange(ref slot.Current, next, current) != current)
            throw new InconsistentStateException(grain, etag, Volatile.Read(ref slot.Current)?.Etag);
        return new(next.Etag);
    }

    public ValueTask ClearAsync(GrainId grain, string? etag, CancellationToken cancellationToken)
    {
        if (etag is null) return default;
        if (!_rows.TryGetValue(grain, out var slot)) throw new InconsistentStateException(grain, etag, null);
        var current = Volatile.Read(ref slot.Current);
        if (current?.Etag != etag || Interlocked.CompareExchange(ref slot.Current, null, current) != current)
            throw new InconsistentStateException(grain, etag, Volatile.Read(ref slot.Current)?.Etag);
        // The empty slot goes too, unless a writer filled it again meanwhile.
        if (_rows.TryRemove(new KeyValuePair<GrainId, Slot>(grain, slot)) && Volatile.Read(ref slot.Current) is { } revived)
            _rows.TryAdd(grain, new Slot { Current = revived, Writes = slot.Writes });
        return default;
    }

    private sealed class Slot
    {
        public StoredState? Current;
        public long Writes;
    }
}
