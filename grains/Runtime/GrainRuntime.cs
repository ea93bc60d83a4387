using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Engine.Grains.Runtime;

/// <summary>
/// The in-process virtual-actor runtime: a directory of activations keyed by <see cref="GrainId"/>,
/// a sweeper for call timeouts and idle deactivation, grain state and reminders.
/// </summary>
public sealed class GrainRuntime : IAsyncDisposable
{
    private readonly ConcurrentDictionary<GrainId, Activation> _directory = new(Environment.ProcessorCount * 32, 4096);
    private readonly Dictionary<string, GrainRegistration> _types = new(StringComparer.Ordinal);
    private readonly IServiceProvider _services;
    private readonly IGrainStorage _storage;
    private readonly JsonSerializerOptions _json;
    private readonly JsonSerializerContext? _stateContext;
    private readonly Lock _idleGate = new();
    private TaskCompletionSource? _idle;
    private long _inFlight;
    private long _now;
    private ITimer? _sweeper;
    private volatile bool _disposed;

    public GrainRuntime(
        RuntimeOptions options,
        IServiceProvider services,
        TimeProvider time,
        IGrainStorage storage,
        IReminderStore reminders,
        IJsonTypeInfoResolver? stateTypes = null,
        ILogger<GrainRuntime>? logger = null)
    {
        Options = options;
        _services = services;
        Time = time;
        _storage = storage;
        // A source-generated context serves its own types with its own options: only there does it use its
        // generated serializers (the fast path); through combined options it falls back to metadata. Other
        // state types leave nulls out too, like the engine's context.
        _stateContext = stateTypes as JsonSerializerContext;
        _json = new JsonSerializerOptions
        {
            DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
            TypeInfoResolver = stateTypes is null ? new DefaultJsonTypeInfoResolver() : JsonTypeInfoResolver.Combine(stateTypes, new DefaultJsonTypeInfoResolver()),
        };
        Logger = logger ?? (ILogger)NullLogger.Instance;
        Reminders = new ReminderService(this, reminders);
        _now = time.GetUtcNow().UtcTicks;
    }

    public RuntimeOptions Options { get; }

    public TimeProvider Time { get; }

    internal ILogger Logger { get; }

    internal ReminderService Reminders { get; }

    /// <summary>The runtime's coarse clock (ticks), refreshed by each sweep; stamps messages cheaply.</summary>
    internal long Now => Volatile.Read(ref _now);

    public int ActivationCount => _directory.Count;

    public int ArmedReminderCount => Reminders.Count;

    /// <summary>
    /// Makes <typeparamref name="TGrain"/> known, so that reminders can reach it by type name. With
    /// <paramref name="wakeOnStart"/>, every grain of the type with stored state is activated when the
    /// runtime starts, so that it re-arms its own timers from its state (a stored state is a live one).
    /// </summary>
    public GrainRuntime Register<TGrain>(bool wakeOnStart = false) where TGrain : Grain
    {
        var factory = ActivatorUtilities.CreateFactory<TGrain>(Type.EmptyTypes);
        var registration = new GrainRegistration(typeof(TGrain), sp => factory(sp, null), StateAttacher(typeof(TGrain)), wakeOnStart);
        lock (_types) _types[GrainType<TGrain>.Name] = registration;
        return this;
    }

    /// <summary>Whether grains of <paramref name="grainType"/> wake on start (and after a reload).</summary>
    internal bool WakesOnStart(string grainType)
    {
        lock (_types) return _types.TryGetValue(grainType, out var registration) && registration.WakeOnStart;
    }

    /// <summary>Arms the stored reminders, wakes the grains registered to wake on start, and starts the sweeper.</summary>
    public async ValueTask StartAsync(CancellationToken cancellationToken = default)
    {
        await Reminders.StartAsync(cancellationToken).ConfigureAwait(false);
        if (_storage is IStoredGrains stored)
        {
            List<string> waking;
            lock (_types) waking = [.. _types.Where(t => t.Value.WakeOnStart).Select(t => t.Key)];
            foreach (var type in waking)
            {
                foreach (var id in await stored.ListAsync(type, cancellationToken).ConfigureAwait(false))
                {
                    // A named further state (OpenStateAsync) belongs to the grain of the key before the separator.
                    if (!id.Key.Contains(GrainId.SubstateSeparator, StringComparison.Ordinal)) Send(id, new CallbackMessage(static _ => default));
                }
            }
        }
        _sweeper = Time.CreateTimer(static s => ((GrainRuntime)s!).Sweep(), this, Options.SweepPeriod, Options.SweepPeriod);
    }

    /// <summary>A reference for callers outside any grain (hubs, endpoints, tests).</summary>
    public GrainRef<TGrain> Get<TGrain>(string tenant, string key) where TGrain : Grain
        => new(this, new GrainId(GrainType<TGrain>.Name, tenant, key), null);

    /// <summary>Completes when no message is queued or running anywhere (needs <see cref="RuntimeOptions.TrackQuiescence"/>).</summary>
    public Task WhenIdle()
    {
        if (!Options.TrackQuiescence) throw new InvalidOperationException("WhenIdle needs RuntimeOptions.TrackQuiescence.");
        lock (_idleGate)
        {
            if (Volatile.Read(ref _inFlight) == 0) return Task.CompletedTask;
            _idle ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _idle.Task;
        }
    }

    internal void Send(GrainId id, Message message)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        while (true)
        {
            var activation = _directory.GetOrAdd(id, static (key, runtime) => new Activation(runtime, key), this);
            if (activation.TryEnqueue(message)) return;
        }
    }

    internal void Remove(Activation activation)
        => _directory.TryRemove(new KeyValuePair<GrainId, Activation>(activation.Id, activation));

    internal async ValueTask<Grain> CreateGrainAsync(Activation activation)
    {
        GrainRegistration? registration;
        lock (_types) _types.TryGetValue(activation.Id.Type, out registration);
        if (registration is null) throw new InvalidOperationException($"Grain type '{activation.Id.Type}' is not registered.");
        var grain = registration.Create(_services);
        grain.Attach(this, activation);
        registration.AttachState?.Invoke(grain, activation.Id);
        await grain.ReadStateAsync(CancellationToken.None).ConfigureAwait(false);
        await grain.OnActivateAsync(CancellationToken.None).ConfigureAwait(false);
        return grain;
    }

    private Action<Grain, GrainId>? StateAttacher(Type grainType)
    {
        for (var type = grainType; type is not null && type != typeof(Grain); type = type.BaseType)
        {
            if (!type.IsGenericType || type.GetGenericTypeDefinition() != typeof(Grain<>)) continue;
            var attach = typeof(GrainRuntime).GetMethod(nameof(AttachTypedState), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!
                .MakeGenericMethod(type.GetGenericArguments()[0]);
            return attach.CreateDelegate<Action<Grain, GrainId>>(this);
        }
        return null;
    }

    private void AttachTypedState<TState>(Grain grain, GrainId id) where TState : class, new()
        => ((Grain<TState>)grain).AttachState(CreateState<TState>(id));

    internal PersistentState<TState> CreateState<TState>(GrainId id) where TState : class, new()
        => new(id, _storage, (JsonTypeInfo<TState>)(_stateContext?.GetTypeInfo(typeof(TState)) ?? _json.GetTypeInfo(typeof(TState))));

    internal void MessageQueued()
    {
        if (Options.TrackQuiescence) Interlocked.Increment(ref _inFlight);
    }

    internal void MessageDone()
    {
        if (!Options.TrackQuiescence || Interlocked.Decrement(ref _inFlight) != 0) return;
        lock (_idleGate)
        {
            if (Volatile.Read(ref _inFlight) != 0 || _idle is null) return;
            var idle = _idle;
            _idle = null;
            idle.SetResult();
        }
    }

    /// <summary>One sweep: refresh the coarse clock, fail calls past the timeout, deactivate idle activations.</summary>
    public void Sweep()
    {
        var now = Time.GetUtcNow().UtcTicks;
        Volatile.Write(ref _now, now);
        var callTimeout = Options.CallTimeout.Ticks;
        var idle = Options.IdleTimeout.Ticks;
        foreach (var pair in _directory) pair.Value.Sweep(now, callTimeout, idle);
    }

    /// <summary>Stops the sweeper and the reminders, and every activation: queued calls fail, grain timers stop.</summary>
    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        if (_sweeper is not null) await _sweeper.DisposeAsync().ConfigureAwait(false);
        Reminders.Stop();
        foreach (var pair in _directory) pair.Value.Shutdown();
    }

    private sealed record GrainRegistration(Type Type, Func<IServiceProvider, Grain> Create, Action<Grain, GrainId>? AttachState, bool WakeOnStart);
}
