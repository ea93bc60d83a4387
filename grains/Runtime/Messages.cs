using System.Threading.Tasks.Sources;

namespace Engine.Grains.Runtime;

/// <summary>One turn's worth of work queued at an activation.</summary>
internal abstract class Message
{
    public long EnqueuedAt;
    public GrainId? Caller;

    /// <summary>True for awaited calls: they can time out.</summary>
    public virtual bool IsCall => false;

    /// <summary>The caller already got an answer (a timeout): do not run the turn.</summary>
    public virtual bool IsAbandoned => false;

    /// <summary>Runs the turn on the grain. Never throws: failures go to the caller or to <paramref name="activation"/>.</summary>
    public abstract ValueTask Invoke(Grain grain, Activation activation);

    /// <summary>Completes the caller with an error without running the turn.</summary>
    public virtual void Fail(Exception error) { }
}

/// <summary>
/// An awaited call: the caller holds a <see cref="ValueTask"/> backed by this message, completed once, by
/// the turn's result or by <see cref="Fail"/> (a timeout or an activation failure).
/// </summary>
internal abstract class PendingCall<TResult> : Message, IValueTaskSource<TResult>, IValueTaskSource
{
    private ManualResetValueTaskSourceCore<TResult> _core;
    private int _done;

    public override bool IsCall => true;
    public override bool IsAbandoned => Volatile.Read(ref _done) != 0;

    protected short Version => _core.Version;

    protected void Succeed(TResult result)
    {
        if (Interlocked.Exchange(ref _done, 1) == 0) _core.SetResult(result);
    }

    public override void Fail(Exception error)
    {
        if (Interlocked.Exchange(ref _done, 1) == 0) _core.SetException(error);
    }

    /// <summary>A throwing turn fails the call and tells the activation.</summary>
    protected void Failed(Exception error, Activation activation)
    {
        activation.OnTurnFailed(error);
        Fail(error);
    }

    public TResult GetResult(short token) => _core.GetResult(token);
    void IValueTaskSource.GetResult(short token) => _core.GetResult(token);
    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);
    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
        => _core.OnCompleted(continuation, state, token, flags);
}

internal sealed class CallMessage<TGrain, TArg, TResult>(TArg arg, Func<TGrain, TArg, ValueTask<TResult>> body)
    : PendingCall<TResult> where TGrain : Grain
{
    public ValueTask<TResult> Task => new(this, Version);

    public override ValueTask Invoke(Grain grain, Activation activation)
    {
        ValueTask<TResult> pending;
        try
        {
            pending = body((TGrain)grain, arg);
        }
        catch (Exception e)
        {
            Failed(e, activation);
            return default;
        }
        if (!pending.IsCompletedSuccessfully) return AwaitSlow(pending, activation);
        Succeed(pending.Result);
        return default;
    }

    private async ValueTask AwaitSlow(ValueTask<TResult> pending, Activation activation)
    {
        try
        {
            Succeed(await pending.ConfigureAwait(false));
        }
        catch (Exception e)
        {
            Failed(e, activation);
        }
    }
}

/// <summary>An awaited call without a result.</summary>
internal sealed class VoidCallMessage<TGrain, TArg>(TArg arg, Func<TGrain, TArg, ValueTask> body)
    : PendingCall<bool> where TGrain : Grain
{
    public ValueTask Task => new(this, Version);

    public override ValueTask Invoke(Grain grain, Activation activation)
    {
        ValueTask pending;
        try
        {
            pending = body((TGrain)grain, arg);
        }
        catch (Exception e)
        {
            Failed(e, activation);
            return default;
        }
        if (!pending.IsCompletedSuccessfully) return AwaitSlow(pending, activation);
        Succeed(true);
        return default;
    }

    private async ValueTask AwaitSlow(ValueTask pending, Activation activation)
    {
        try
        {
            await pending.ConfigureAwait(false);
            Succeed(true);
        }
        catch (Exception e)
        {
            Failed(e, activation);
        }
    }
}

/// <summary>A turn nobody waits for: failures are the activation's to log.</summary>
internal abstract class UnansweredMessage : Message
{
    protected static ValueTask Run(Func<ValueTask> start, Activation activation)
    {
        ValueTask pending;
        try
        {
            pending = start();
        }
        catch (Exception e)
        {
            activation.OnTurnFailed(e);
            return default;
        }
        return pending.IsCompletedSuccessfully ? default : AwaitSlow(pending, activation);
    }

    private static async ValueTask AwaitSlow(ValueTask pending, Activation activation)
    {
        try
        {
            await pending.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            activation.OnTurnFailed(e);
        }
    }
}

internal sealed class OneWayMessage<TGrain, TArg>(TArg arg, Func<TGrain, TArg, ValueTask> body) : UnansweredMessage where TGrain : Grain
{
    public override ValueTask Invoke(Grain grain, Activation activation)
    {
        ValueTask pending;
        try
        {
            pending = body((TGrain)grain, arg);
        }
        catch (Exception e)
        {
            activation.OnTurnFailed(e);
            return default;
        }
        return pending.IsCompletedSuccessfully ? default : Run(() => pending, activation);
    }
}

/// <summary>A turn that runs a callback with no caller waiting: timers and reminders.</summary>
internal sealed class CallbackMessage(Func<Grain, ValueTask> body) : UnansweredMessage
{
    public override ValueTask Invoke(Grain grain, Activation activation) => Run(() => body(grain), activation);
}

/// <summary>Asks the activation to deactivate once it reaches this point in its queue.</summary>
internal sealed class DeactivateMessage : Message
{
    /// <summary>Queued by the sweeper: skipped if the grain has meanwhile asked to stay (<see cref="Grain.KeepAlive"/>).</summary>
    public static readonly DeactivateMessage Idle = new() { IsIdle = true };

    /// <summary>Asked for by the grain: always carried out.</summary>
    public static readonly DeactivateMessage Requested = new();

    /// <summary>A reload after a failed turn: always carried out; a grain that was keeping itself alive comes back at once.</summary>
    public static readonly DeactivateMessage Reload = new() { IsReload = true };

    public bool IsIdle { get; private init; }

    public bool IsReload { get; private init; }

    public override ValueTask Invoke(Grain grain, Activation activation) => default;
}
