namespace Engine.Grains.Runtime;

/// <summary>
/// Base of every grain, shaped like an Orleans grain: created on the first call to its key, one
/// turn at a time, timers that run as turns, durable reminders, deactivation when idle.
/// </summary>
public abstract class Grain
{
    private GrainRuntime? _runtime;
    private Activation? _activation;
    private List<ITimer>? _timers;

    public GrainId GrainId { get; private set; }

    protected string Tenant => GrainId.Tenant;

    protected string Key => GrainId.Key;

    protected TimeProvider Time => Runtime.Time;

    private GrainRuntime Runtime => _runtime ?? throw new InvalidOperationException("The grain is not activated.");

    internal void Attach(GrainRuntime runtime, Activation activation)
    {
        _runtime = runtime;
        _activation = activation;
        GrainId = activation.Id;
    }

    /// <summary>While true, idle deactivation passes this activation by (an online agent, a non-empty queue).</summary>
    protected internal virtual bool KeepAlive => false;

    /// <summary>
    /// Whether the in-memory state can be trusted after a turn threw <paramref name="error"/>. When not
    /// (the default), the runtime deactivates this instance and the next message re-reads stored state.
    /// </summary>
    protected internal virtual bool IsStateSafeAfter(Exception error) => false;

    /// <summary>Runs once per activation, before the first message, after state was read.</summary>
    public virtual ValueTask OnActivateAsync(CancellationToken cancellationToken) => default;

    /// <summary>Runs as the activation's last turn.</summary>
    public virtual ValueTask OnDeactivateAsync() => default;

    internal virtual ValueTask ReadStateAsync(CancellationToken cancellationToken) => default;

    /// <summary>A reference to another grain of the same tenant; calls through it name this grain as the caller.</summary>
    protected GrainRef<TGrain> GetGrain<TGrain>(string key) where TGrain : Grain
        => new(Runtime, new GrainId(GrainType<TGrain>.Name, Tenant, key), GrainId);

    /// <summary>Deactivate after the current turn; the next message creates a new activation from stored state.</summary>
    protected void DeactivateOnIdle() => _activation?.RequestDeactivation();

    /// <summary>A timer whose ticks run as turns of this activation; stopped on deactivation.</summary>
    protected IDisposable RegisterTimer(Func<ValueTask> callback, TimeSpan dueTime, TimeSpan period)
    {
        var activation = _activation ?? throw new InvalidOperationException("The grain is not activated.");
        var tick = new CallbackMessageFactory(this, callback);
        var timer = Runtime.Time.CreateTimer(static state => ((CallbackMessageFactory)state!).Post(), tick, dueTime, period);
        tick.Timer = timer;
        (_timers ??= []).Add(timer);
        return new TimerHandle(this, timer, tick);
    }

    /// <summary>A durable one-shot reminder: delivered to <see cref="IRemindable"/> at <paramref name="dueAt"/>, even after a restart.</summary>
    protected ValueTask SetReminderAsync(string name, DateTimeOffset dueAt)
        => Runtime.Reminders.SetAsync(new ReminderEntry(GrainId, name, dueAt));

    protected ValueTask CancelReminderAsync(string name) => Runtime.Reminders.CancelAsync(GrainId, name);

    /// <summary>
    /// Reads an additional named state of this grain (stored under its own key), for data that changes at
    /// a different rate than the main state. Call it from <see cref="OnActivateAsync"/>.
    /// </summary>
    protected async ValueTask<IPersistentState<TState>> OpenStateAsync<TState>(string name) where TState : class, new()
    {
        var state = Runtime.CreateState<TState>(GrainId with { Key = GrainId.Key + GrainId.SubstateSeparator + name });
        await state.ReadStateAsync().ConfigureAwait(false);
        return state;
    }

    internal void StopTimers()
    {
        if (_timers is null) return;
        foreach (var timer in _timers) timer.Dispose();
        _timers = null;
    }

    private void RemoveTimer(ITimer timer)
    {
        timer.Dispose();
        _timers?.Remove(timer);
    }

    private sealed class TimerHandle(Grain grain, ITimer timer, CallbackMessageFactory tick) : IDisposable
    {
        public void Dispose()
        {
            // A tick already queued when the grain let the timer go is dropped: the grain may have armed another since.
            tick.Disposed = true;
            grain.RemoveTimer(timer);
        }
    }

    private sealed class CallbackMessageFactory(Grain grain, Func<ValueTask> callback)
    {
        public CallbackMessage Body { get; } = new(_ => callback());

        public ITimer? Timer;

        public volatile bool Disposed;

        public void Post()
        {
            var activation = grain._activation;
            if (activation is null || !activation.IsCurrent(grain)) return;
            activation.TryEnqueue(new Tick(grain, activation, this));
        }
    }

    /// <summary>
    /// A timer tick, abandoned once its grain is no longer the activation's instance (deactivated, or dropped to
    /// re-read its state), so that a tick queued late never activates a fresh instance; and abandoned once the
    /// grain disposed its timer, so that a late tick never acts for a timer replaced meanwhile.
    /// </summary>
    private sealed class Tick(Grain grain, Activation activation, CallbackMessageFactory timer) : Message
    {
        public override bool IsAbandoned => timer.Disposed || !activation.IsCurrent(grain);

        public override ValueTask Invoke(Grain target, Activation current) => timer.Body.Invoke(target, current);
    }
}

/// <summary>A grain with one persistent state, read before <see cref="Grain.OnActivateAsync"/>.</summary>
public abstract class Grain<TState> : Grain where TState : class, new()
{
    private PersistentState<TState>? _state;

    protected IPersistentState<TState> State => _state ?? throw new InvalidOperationException("The grain is not activated.");

    internal void AttachState(PersistentState<TState> state) => _state = state;

    internal override ValueTask ReadStateAsync(CancellationToken cancellationToken) => _state!.ReadStateAsync(cancellationToken);
}

internal static class GrainType<TGrain> where TGrain : Grain
{
    public static readonly string Name = typeof(TGrain).Name;
}
