using System.Collections.Concurrent;
using System.Globalization;

namespace Engine.Grains.Runtime;

/// <summary>Grain state kept in process memory as serialized bytes, with the same ETag rules as a database.</summary>
public sealed class MemoryGrainStorage : IGrainStorage
{
    private readonly ConcurrentDictionary<GrainId, StoredState> _rows = new();
    private long _version;

    public int Count => _rows.Count;

    public ValueTask<StoredState?> ReadAsync(GrainId grain, CancellationToken cancellationToken)
        => new(_rows.TryGetValue(grain, out var row) ? row : null);

    public ValueTask<string> WriteAsync(GrainId grain, ReadOnlyMemory<byte> payload, string? etag, CancellationToken cancellationToken)
    {
        var next = new StoredState(payload.ToArray(), Interlocked.Increment(ref _version).ToString(CultureInfo.InvariantCulture));
        if (etag is null)
        {
            if (!_rows.TryAdd(grain, next)) throw new InconsistentStateException(grain, null, _rows.GetValueOrDefault(grain)?.Etag);
            return new(next.Etag);
        }
        if (!_rows.TryGetValue(grain, out var current) || current.Etag != etag || !_rows.TryUpdate(grain, next, current))
            throw new InconsistentStateException(grain, etag, _rows.GetValueOrDefault(grain)?.Etag);
        return new(next.Etag);
    }

    public ValueTask ClearAsync(GrainId grain, string? etag, CancellationToken cancellationToken)
    {
        if (etag is null) return default;
        if (!_rows.TryGetValue(grain, out var current) || current.Etag != etag || !_rows.TryRemove(new KeyValuePair<GrainId, StoredState>(grain, current)))
            throw new InconsistentStateException(grain, etag, _rows.GetValueOrDefault(grain)?.Etag);
        return default;
    }
}
