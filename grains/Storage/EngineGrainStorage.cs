using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Orleans.Storage;

namespace Engine.Grains.Storage;

/// <summary>
/// Orleans's grain storage over the project's <see cref="IStateStore"/>: states are JSON from the source-generated
/// <see cref="EngineJsonContext"/> (no reflection, readable in the database), keyed by grain class, tenant and key.
/// The ETag rules are the store's; a conflict surfaces as <see cref="InconsistentStateException"/>, on which Orleans
/// drops the activation so that the next call reads what is stored.
/// </summary>
public sealed class EngineGrainStorage(IStateStore store) : IGrainStorage
{
    /// <summary>The name grains give in <c>[PersistentState(..., EngineGrainStorage.Name)]</c>.</summary>
    public const string Name = "engine";

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var stored = await store.ReadAsync(KeyOf(grainId), CancellationToken.None).ConfigureAwait(false);
        if (stored is null)
        {
            grainState.State = Activator.CreateInstance<T>();
            grainState.ETag = null;
            grainState.RecordExists = false;
            return;
        }
        grainState.State = JsonSerializer.Deserialize(stored.Payload, TypeInfo<T>()) ?? Activator.CreateInstance<T>();
        grainState.ETag = stored.Etag;
        grainState.RecordExists = true;
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        // Serialized into a buffer of this thread; the store copies it before the write completes, and the
        // buffer is handed back only then (another turn on this thread may run meanwhile).
        var buffer = StateBuffer.Rent();
        try
        {
            using (var writer = new Utf8JsonWriter(buffer)) JsonSerializer.Serialize(writer, grainState.State!, TypeInfo<T>());
            grainState.ETag = await store.WriteAsync(KeyOf(grainId), grainState.State, buffer.WrittenMemory, grainState.ETag, CancellationToken.None).ConfigureAwait(false);
            grainState.RecordExists = true;
        }
        finally
        {
            StateBuffer.Return(buffer);
        }
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await store.ClearAsync(KeyOf(grainId), grainState.State, grainState.ETag, CancellationToken.None).ConfigureAwait(false);
        grainState.State = Activator.CreateInstance<T>();
        grainState.ETag = null;
        grainState.RecordExists = false;
    }

    /// <summary>The store's key of a grain: its class name (the grain type), and the tenant and key of its primary key.</summary>
    public static StateKey KeyOf(GrainId grainId)
    {
        var (tenant, key) = EngineKey.Split(grainId.Key.ToString()!);
        return new StateKey(grainId.Type.ToString()!, tenant, key);
    }

    private static JsonTypeInfo<T> TypeInfo<T>()
        => (JsonTypeInfo<T>?)EngineJsonContext.Default.GetTypeInfo(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not a state type of EngineJsonContext.");

    /// <summary>A small per-thread cache of serialization buffers, so that state writes allocate no payload array.</summary>
    private static class StateBuffer
    {
        private const int MaxKept = 64 * 1024;

        [ThreadStatic] private static ArrayBufferWriter<byte>? t_cached;

        public static ArrayBufferWriter<byte> Rent()
        {
            var buffer = t_cached;
            if (buffer is null) return new ArrayBufferWriter<byte>(1024);
            t_cached = null;
            return buffer;
        }

        public static void Return(ArrayBufferWriter<byte> buffer)
        {
            if (buffer.Capacity > MaxKept) return;
            buffer.ResetWrittenCount();
            t_cached = buffer;
        }
    }
}
