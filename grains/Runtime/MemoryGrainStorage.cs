using System.Collections.Concurrent;
using System.Globalization;

namespace Engine.Grains.Runtime;

/// <summary>
/// Grain state kept in process memory as serialized bytes, with the same ETag rules as a database. Each
/// key has its own slot with its own buffer, rewritten in place: state that changes all the time does not
/// leave a new long-lived array behind on every write (which would make every GC promote it).
/// </summary>
public sealed class MemoryGrainStorage : IGrainStorage, IStoredGrains
{
    private readonly ConcurrentDictionary<GrainId, Slot> _rows = new(Environment.ProcessorCount * 32, 1024);

    // Each new slot starts its write count far from every other slot's, so an ETag never repeats after a clear.
    private long _slots;

    public ValueTask<IReadOnlyList<GrainId>> ListAsync(string grainType, CancellationToken cancellationToken)
        => new([.. _rows.Where(r => r.Key.Type == grainType && r.Value.Exists).Select(r => r.Key)]);

    public ValueTask<StoredState?> ReadAsync(GrainId grain, CancellationToken cancellationToken)
        => new(_rows.TryGetValue(grain, out var slot) ? slot.Read() : null);

    public ValueTask<string> WriteAsync(GrainId grain, ReadOnlyMemory<byte> payload, string? etag, CancellationToken cancellationToken)
    {
        var slot = _rows.GetOrAdd(grain, static (_, self) => new Slot(Interlocked.Increment(ref self._slots) << 32), this);
        return new(slot.Write(grain, payload.Span, etag));
    }

    public ValueTask ClearAsync(GrainId grain, string? etag, CancellationToken cancellationToken)
    {
        if (etag is null) return default;
        if (!_rows.TryGetValue(grain, out var slot)) throw new InconsistentStateException(grain, etag, null);
        slot.Clear(grain, etag);
        // The empty slot goes too, unless a writer filled it again meanwhile (then it stays).
        lock (slot)
        {
            if (!slot.Exists) _rows.TryRemove(new KeyValuePair<GrainId, Slot>(grain, slot));
        }
        return default;
    }

    private sealed class Slot(long firstWrite)
    {
        private byte[] _buffer = [];
        private int _length;
        private long _writes = firstWrite;
        private string? _etag;

        public bool Exists
        {
            get { lock (this) return _etag is not null; }
        }

        public StoredState? Read()
        {
            lock (this) return _etag is null ? null : new StoredState(_buffer.AsSpan(0, _length).ToArray(), _etag);
        }

        public string Write(GrainId grain, ReadOnlySpan<byte> payload, string? etag)
        {
            lock (this)
            {
                if (_etag != etag) throw new InconsistentStateException(grain, etag, _etag);
                // Exact size plus a little room: a state grows a few bytes at a time, and idle state is most of memory.
                if (_buffer.Length < payload.Length) _buffer = new byte[payload.Length + 32];
                payload.CopyTo(_buffer);
                _length = payload.Length;
                return _etag = (++_writes).ToString(CultureInfo.InvariantCulture);
            }
        }

        public void Clear(GrainId grain, string etag)
        {
            lock (this)
            {
                if (_etag != etag) throw new InconsistentStateException(grain, etag, _etag);
                _etag = null;
                _length = 0;
            }
        }
    }
}
