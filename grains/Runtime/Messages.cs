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

internal sealed class CallMessage<TGrain, TArg, TResult>(TArg arg, Func<TGrain, TArg, ValueTask<TResult>> body)
    : Message, IValueTaskSource<TResult> where TGrain : Grain
{
    private ManualResetValueTaskSourceCore<TResult> _core;
    private int _done;

    public override bool IsCall => true;
    public override bool IsAbandoned => Volatile.Read(ref _done) != 0;

    public ValueTask<TResult> Task => new(this, _core.Version);

    public override ValueTask Invoke(Grain grain, Activation activation)
    {
        ValueTask<TResult> pending;
        try
        {
            pending = body((TGrain)grain, arg);
        }
        catch (Exception e)
        {
            activation.OnTurnFailed(e);
            Fail(e);
            return default;
        }
        if (pending.IsCompletedSuccessfully)
        {
            Succeed(pending.Result);
            return default;
        }
        return AwaitSlow(pending, activation);
    }

    private async ValueTask AwaitSlow(ValueTask<TResult> pending, Activation activation)
    {
        TResult result;
        try
        {
            result = await pending.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            activation.OnTurnFailed(e);
            Fail(e);
            return;
        }
        Succeed(result);
    }

    private void Succeed(TResult result)
    {
        if (Interlocked.Exchange(ref _done, 1) == 0) _core.SetResult(result);
    }

    public override void Fail(Exception error)
    {
        if (Interlocked.Exchange(ref _done, 1) == 0) _core.SetException(error);
    }

    public TResult GetResult(short token) => _core.GetResult(token);
    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);
    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
        => _core.OnCompleted(continuation, state, token, flags);
}

/// <summary>An awaited call without a result.</summary>
internal sealed class VoidCallMessage<TGrain, TArg>(TArg arg, Func<TGrain, TArg, ValueTask> body)
    : Message, IValueTaskSource where TGrain : Grain
{
    private ManualResetValueTaskSourceCore<bool> _core;
    private int _done;

    public override bool IsCall => true;
    public override bool IsAbandoned => Volatile.Read(ref _done) != 0;

    public ValueTask Task => new(this, _core.Version);

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
            Fail(e);
            return default;
        }
        if (pending.IsCompletedSuccessfully)
        {
            Succeed();
            return default;
        }
        return AwaitSlow(pending, activation);
    }

    private async ValueTask AwaitSlow(ValueTask pending, Activation activation)
    {
        try
        {
            await pending.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            activation.OnTurnFailed(e);
            Fail(e);
            return;
        }
        Succeed();
    }

    private void Succeed()
    {
        if (Interlocked.Exchange(ref _done, 1) == 0) _core.SetResult(true);
    }

    public override void Fail(Exception error)
    {
        if (Interlocked.Exchange(ref _done, 1) == 0) _core.SetException(error);
    }

    public void GetResult(short token) => _core.GetResult(token);
    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);
    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
        => _core.OnCompleted(continuation, state, token, flags);
}

internal sealed class OneWayMessage<TGrain, TArg>(TArg arg, Func<TGrain, TArg, ValueTask> body) : Message where TGrain : Grain
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
        if (pending.IsCompletedSuccessfully) return default;
        return AwaitSlow(pending, activation);
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

/// <summary>A turn that runs a callback with no caller waiting: timers and reminders.</summary>
internal sealed class CallbackMessage(Func<Grain, ValueTask> body) : Message
{
    public override ValueTask Invoke(Grain grain, Activation activation)
    {
        ValueTask pending;
        try
        {
            pending = body(grain);
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

/// <summary>Asks the activation to deactivate once it reaches this point in its queue.</summary>
internal sealed class DeactivateMessage : Message
{
    public static readonly DeactivateMessage Instance = new();
    public override ValueTask Invoke(Grain grain, Activation activation) => default;
}
