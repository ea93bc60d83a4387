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
    /// <summary>Stores a copy of <paramref name="payload"/> (the caller reuses the buffer once this completes). Returns the new ETag.</summary>
    ValueTask<string> WriteAsync(GrainId grain, ReadOnlyMemory<byte> payload, string? etag, CancellationToken cancellationToken);
    ValueTask ClearAsync(GrainId grain, string? etag, CancellationToken cancellationToken);
}

public sealed record StoredState(byte[] Payload, string Etag);

/// <summary>
/// A storage that also sees the state object it stores, so that it can keep columns of it beside the payload
/// in the same statement (a conversation's live state and its record are one row). Optional: without it the
/// runtime uses <see cref="IGrainStorage"/>. The ETag rules are the same.
/// </summary>
public interface IStateAwareStorage
{
    ValueTask<string> WriteAsync<TState>(GrainId grain, TState state, ReadOnlyMemory<byte> payload, string? etag, CancellationToken cancellationToken) where TState : class;

    /// <summary>Clears the state; <paramref name="lastState"/> is the state as it was at the end.</summary>
    ValueTask ClearAsync<TState>(GrainId grain, TState lastState, string? etag, CancellationToken cancellationToken) where TState : class;
}

/// <summary>A grain storage that can list the ids of a type holding stored state (named further states included).</summary>
public interface IStoredGrains
{
    ValueTask<IReadOnlyList<GrainId>> ListAsync(string grainType, CancellationToken cancellationToken);
}

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
        // Serialized into a buffer of this thread; the storage copies it before the write completes,
        // and the buffer is handed back only then (another turn on this thread may run meanwhile).
        var buffer = StateBuffer.Rent();
        try
        {
            using (var writer = new Utf8JsonWriter(buffer)) JsonSerializer.Serialize(writer, State, typeInfo);
            Etag = storage is IStateAwareStorage aware
                ? await aware.WriteAsync(grain, State, buffer.WrittenMemory, Etag, cancellationToken).ConfigureAwait(false)
                : await storage.WriteAsync(grain, buffer.WrittenMemory, Etag, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            StateBuffer.Return(buffer);
        }
    }

    public async ValueTask ClearStateAsync(CancellationToken cancellationToken = default)
    {
        if (storage is IStateAwareStorage aware) await aware.ClearAsync(grain, State, Etag, cancellationToken).ConfigureAwait(false);
        else await storage.ClearAsync(grain, Etag, cancellationToken).ConfigureAwait(false);
        State = new TState();
        Etag = null;
    }
}

/// <summary>A small per-thread cache of serialization buffers, so that state writes allocate no payload array.</summary>
internal static class StateBuffer
{
    private const int MaxKept = 64 * 1024;

    [ThreadStatic] private static System.Buffers.ArrayBufferWriter<byte>? t_cached;

    public static System.Buffers.ArrayBufferWriter<byte> Rent()
    {
        var buffer = t_cached;
        if (buffer is null) return new System.Buffers.ArrayBufferWriter<byte>(1024);
        t_cached = null;
        return buffer;
    }

    public static void Return(System.Buffers.ArrayBufferWriter<byte> buffer)
    {
        if (buffer.Capacity > MaxKept) return;
        buffer.ResetWrittenCount();
        t_cached = buffer;
    }
}
