namespace Engine.Grains.Runtime;

/// <summary>
/// The mailbox and turn loop of one grain key. Messages run one at a time in FIFO order; an
/// <c>await</c> inside a turn keeps the turn (non-reentrant). The grain instance is created on the
/// first message and dropped on deactivation; the next message creates a fresh one from stored state.
/// </summary>
internal sealed class Activation : IThreadPoolWorkItem
{
    [ThreadStatic] private static int t_inlineDepth;

    private readonly GrainRuntime _runtime;
    private readonly Queue<Message> _queue = new();
    private Action? _resume;
    private bool _scheduled;
    private bool _dead;
    private bool _deactivateQueued;
    private Grain? _grain;
    private Message? _current;
    private long _lastActive;
    private ValueTask _pending;
    private bool _deactivateRequested;
    private bool _reloadRequested;
    private bool _reloadPending;

    public Activation(GrainRuntime runtime, GrainId id)
    {
        _runtime = runtime;
        Id = id;
        _lastActive = runtime.Now;
    }

    public GrainId Id { get; }

    public bool TryEnqueue(Message message)
    {
        bool schedule;
        lock (_queue)
        {
            if (_dead) return false;
            // Counted before the message is visible: a drainer must never count it done before it was counted queued.
            _runtime.MessageQueued();
            message.EnqueuedAt = _runtime.Now;
            _queue.Enqueue(message);
            schedule = !_scheduled;
            _scheduled = true;
        }
        if (schedule) ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        return true;
    }

    public void Execute() => Drain();

    private void Drain()
    {
        var budget = _runtime.Options.MaxBatch;
        while (true)
        {
            Message message;
            lock (_queue)
            {
                if (_reloadPending)
                {
                    // A failed turn left the instance unreliable: deactivate it before the next message.
                    _reloadPending = false;
                    message = DeactivateMessage.Reload;
                }
                else
                {
                    if (_queue.Count == 0)
                    {
                        _scheduled = false;
                        return;
                    }
                    if (budget-- <= 0) break;
                    message = _queue.Dequeue();
                }
                _current = message;
                _lastActive = _runtime.Now;
            }
            var turn = Run(message);
            if (!turn.IsCompleted)
            {
                _pending = turn;
                turn.GetAwaiter().UnsafeOnCompleted(_resume ??= Resume);
                return;
            }
            turn.GetAwaiter().GetResult();
            EndTurn();
        }
        // Yield the thread so that one busy activation cannot starve the others.
        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
    }

    private void Resume()
    {
        var turn = _pending;
        _pending = default;
        turn.GetAwaiter().GetResult();
        EndTurn();
        // Continue on this thread unless completions have nested too deeply already.
        if (t_inlineDepth >= 4)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
            return;
        }
        t_inlineDepth++;
        try
        {
            Drain();
        }
        finally
        {
            t_inlineDepth--;
        }
    }

    private ValueTask Run(Message message)
    {
        if (message.IsAbandoned) return default;
        if (message is DeactivateMessage deactivate) return DeactivateAsync(deactivate.IsIdle, deactivate.IsReload);
        var grain = _grain;
        return grain is null ? ActivateAndRun(message) : message.Invoke(grain, this);
    }

    private async ValueTask ActivateAndRun(Message message)
    {
        Grain grain;
        try
        {
            grain = await _runtime.CreateGrainAsync(this).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            RuntimeLog.ActivationFailed(_runtime.Logger, e, Id);
            message.Fail(new GrainActivationException(Id, e));
            return;
        }
        _grain = grain;
        await message.Invoke(grain, this).ConfigureAwait(false);
    }

    private async ValueTask DeactivateAsync(bool idle, bool reload)
    {
        _deactivateQueued = false;
        var grain = _grain;
        // The sweeper decided outside this turn; the grain may have taken on work since.
        if (idle && grain is { KeepAlive: true }) return;
        // A live grain reloaded after a failed turn comes back at once from its stored state, which re-arms
        // the timers it keeps for its deadlines; otherwise it would wait for someone to call it. Memory is
        // not to be trusted after a failure, so a type that wakes on start always comes back.
        if (reload && (grain is { KeepAlive: true } || _runtime.WakesOnStart(Id.Type))) TryEnqueue(new CallbackMessage(static _ => default));
        if (grain is not null)
        {
            try
            {
                await grain.OnDeactivateAsync().ConfigureAwait(false);
            }
            catch (Exception e)
            {
                RuntimeLog.DeactivationFailed(_runtime.Logger, e, Id);
            }
            grain.StopTimers();
            _grain = null;
        }
        lock (_queue)
        {
            // Messages that arrived meanwhile get a fresh grain instance; otherwise the shell goes away.
            if (_queue.Count == 0)
            {
                _dead = true;
                _runtime.Remove(this);
            }
        }
    }

    private void EndTurn()
    {
        _current = null;
        if (_reloadRequested)
        {
            _reloadRequested = false;
            lock (_queue)
            {
                _reloadPending = true;
                _runtime.MessageQueued();
            }
        }
        if (_deactivateRequested)
        {
            _deactivateRequested = false;
            lock (_queue)
            {
                if (!_deactivateQueued && !_dead)
                {
                    _deactivateQueued = true;
                    _queue.Enqueue(DeactivateMessage.Requested);
                    _runtime.MessageQueued();
                }
            }
        }
        _runtime.MessageDone();
    }

    /// <summary>Called from inside a turn when the turn throws.</summary>
    public void OnTurnFailed(Exception error)
    {
        // Someone else wrote our state, or the turn failed part-way through: memory may differ from storage,
        // so the instance goes and the next message re-reads the state. Failures the grain declares safe
        // (rule refusals raised before any change) keep it.
        if (error is InconsistentStateException || _grain?.IsStateSafeAfter(error) != true) _reloadRequested = true;
        if (_current is not { IsCall: true }) RuntimeLog.OneWayFailed(_runtime.Logger, error, Id);
    }

    public void RequestDeactivation() => _deactivateRequested = true;

    public bool IsCurrent(Grain grain) => ReferenceEquals(_grain, grain);

    /// <summary>Fails calls that waited too long and queues deactivation when idle long enough.</summary>
    public void Sweep(long now, long callTimeoutTicks, long idleTicks)
    {
        List<Message>? expired = null;
        var deactivate = false;
        lock (_queue)
        {
            if (_dead) return;
            if (_current is { IsCall: true, IsAbandoned: false } current && now - current.EnqueuedAt >= callTimeoutTicks)
                (expired ??= []).Add(current);
            foreach (var message in _queue)
            {
                if (message.IsCall && !message.IsAbandoned && now - message.EnqueuedAt >= callTimeoutTicks)
                    (expired ??= []).Add(message);
            }
            if (!_scheduled && !_deactivateQueued && _queue.Count == 0 && now - _lastActive >= idleTicks && _grain is not { KeepAlive: true })
            {
                deactivate = true;
                _deactivateQueued = true;
            }
        }
        if (expired is not null)
        {
            var timeout = TimeSpan.FromTicks(callTimeoutTicks);
            foreach (var message in expired)
            {
                RuntimeLog.CallTimedOut(_runtime.Logger, message.Caller?.ToString() ?? "client", Id, timeout);
                message.Fail(new GrainCallTimeoutException(message.Caller, Id, timeout));
            }
        }
        if (deactivate && !TryEnqueue(DeactivateMessage.Idle)) _deactivateQueued = false;
    }

    /// <summary>The runtime is going away: no more messages, queued calls fail, timers stop.</summary>
    public void Shutdown()
    {
        List<Message> dropped;
        lock (_queue)
        {
            _dead = true;
            dropped = [.. _queue];
            _queue.Clear();
        }
        _grain?.StopTimers();
        var error = new ObjectDisposedException(nameof(GrainRuntime), $"The runtime stopped before {Id} ran this message.");
        foreach (var message in dropped)
        {
            message.Fail(error);
            _runtime.MessageDone();
        }
    }
}
