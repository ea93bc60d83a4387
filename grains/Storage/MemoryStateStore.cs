using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Engine.Conversations;

namespace Engine.Grains.Storage;

/// <summary>
/// Grain state kept in process memory as serialized bytes, with the same ETag rules as a database. Each
/// key has its own slot with its own buffer, rewritten in place: state that changes all the time does not
/// leave a new long-lived array behind on every write (which would make every GC promote it).
/// </summary>
public sealed class MemoryStateStore : IStateStore, ILiveConversations
{
    private readonly ConcurrentDictionary<StateKey, Slot> _rows = new(Environment.ProcessorCount * 32, 1024);

    // Each new slot starts its write count far from every other slot's, so an ETag never repeats after a clear.
    private long _slots;

    public ValueTask<StoredState?> ReadAsync(StateKey key, CancellationToken cancellationToken)
        => new(_rows.TryGetValue(key, out var slot) ? slot.Read() : null);

    public ValueTask<string> WriteAsync<TState>(StateKey key, TState state, ReadOnlyMemory<byte> payload, string? etag, CancellationToken cancellationToken)
    {
        var slot = _rows.GetOrAdd(key, static (_, self) => new Slot(Interlocked.Increment(ref self._slots) << 32), this);
        return new(slot.Write(key, payload.Span, etag));
    }

    public ValueTask ClearAsync<TState>(StateKey key, TState lastState, string? etag, CancellationToken cancellationToken)
    {
        if (etag is null) return default;
        if (!_rows.TryGetValue(key, out var slot)) throw StateConflict.Of(key, etag, null);
        slot.Clear(key, etag);
        // The empty slot goes too, unless a writer filled it again meanwhile (then it stays).
        lock (slot)
        {
            if (!slot.Exists) _rows.TryRemove(new KeyValuePair<StateKey, Slot>(key, slot));
        }
        return default;
    }

    public ValueTask<IReadOnlyList<StateKey>> ListAsync(string grainType, CancellationToken cancellationToken)
        => new([.. _rows.Where(r => r.Key.Type == grainType && r.Value.Exists).Select(r => r.Key)]);

    public ValueTask<IReadOnlyList<ConversationState>> HeldByAsync(string tenant, string agentId, CancellationToken cancellationToken)
        => new(Conversations(tenant, c => c.AgentId == agentId));

    public ValueTask<IReadOnlyList<ConversationState>> QueuedInAsync(string tenant, string groupId, CancellationToken cancellationToken)
        => new(Conversations(tenant, c => c.Status == ConversationStatus.Queued && c.GroupId == groupId));

    /// <summary>A scan of every live conversation of the tenant: memory holds few when anything is rebuilt.</summary>
    private IReadOnlyList<ConversationState> Conversations(string tenant, Func<ConversationState, bool> match)
    {
        var found = new List<ConversationState>();
        foreach (var (key, slot) in _rows)
        {
            if (key.Type != nameof(Routing.ConversationGrain) || key.Tenant != tenant || slot.Read() is not { } stored) continue;
            var state = JsonSerializer.Deserialize(stored.Payload, EngineJsonContext.Default.ConversationState);
            if (state is not null && match(state)) found.Add(state);
        }
        return found;
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

        public string Write(StateKey key, ReadOnlySpan<byte> payload, string? etag)
        {
            lock (this)
            {
                if (_etag != etag) throw StateConflict.Of(key, etag, _etag);
                // Exact size plus a little room: a state grows a few bytes at a time, and idle state is most of memory.
                if (_buffer.Length < payload.Length) _buffer = new byte[payload.Length + 32];
                payload.CopyTo(_buffer);
                _length = payload.Length;
                return _etag = (++_writes).ToString(CultureInfo.InvariantCulture);
            }
        }

        public void Clear(StateKey key, string etag)
        {
            lock (this)
            {
                if (_etag != etag) throw StateConflict.Of(key, etag, _etag);
                _etag = null;
                _length = 0;
            }
        }
    }
}
