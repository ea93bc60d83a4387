using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Engine.Grains.Runtime;

/// <summary>Orleans-style persistent state: read on activation, written on demand, guarded by an ETag.</summary>
public interface IPersistentState<TState> where TState : class
{
    TState State { get; set; }
    string? Etag { get; }
    bool RecordExists { get; }
    ValueTask ReadStateAsync(CancellationToken cancellationToken = default);
    ValueTask WriteStateAsync(CancellationToken cancellationToken = default);
    ValueTask ClearStateAsync(CancellationToken cancellationToken = default);
}

/// <summary>Where grain state lives. A write or clear with a stale ETag throws <see cref="InconsistentStateException"/>.</summary>
public interface IGrainStorage
{
    ValueTask<StoredState?> ReadAsync(GrainId grain, CancellationToken cancellationToken);
    /// <summary>Stores <paramref name="payload"/>, which the storage owns from then on. Returns the new ETag.</summary>
    ValueTask<string> WriteAsync(GrainId grain, byte[] payload, string? etag, CancellationToken cancellationToken);
    ValueTask ClearAsync(GrainId grain, string? etag, CancellationToken cancellationToken);
}

public sealed record StoredState(byte[] Payload, string Etag);

internal sealed class PersistentState<TState>(GrainId grain, IGrainStorage storage, JsonTypeInfo<TState> typeInfo)
    : IPersistentState<TState> where TState : class, new()
{
    /// <summary>Set by <see cref="ReadStateAsync"/>, which the runtime calls before the grain sees it.</summary>
    public TState State { get; set; } = null!;
    public string? Etag { get; private set; }
    public bool RecordExists => Etag is not null;

    public async ValueTask ReadStateAsync(CancellationToken cancellationToken = default)
    {
        var stored = await storage.ReadAsync(grain, cancellationToken).ConfigureAwait(false);
        if (stored is null)
        {
            State = new TState();
            Etag = null;
            return;
        }
        State = JsonSerializer.Deserialize(stored.Payload, typeInfo) ?? new TState();
        Etag = stored.Etag;
    }

    public async ValueTask WriteStateAsync(CancellationToken cancellationToken = default)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(State, typeInfo);
        Etag = await storage.WriteAsync(grain, payload, Etag, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask ClearStateAsync(CancellationToken cancellationToken = default)
    {
        await storage.ClearAsync(grain, Etag, cancellationToken).ConfigureAwait(false);
        State = new TState();
        Etag = null;
    }
}
