using Engine.Grains.Storage;
using Engine.StateMachines;
using Orleans.CodeGeneration;
using Orleans.Runtime;
using Orleans.Serialization.Invocation;

namespace Engine.Grains.Hosting;

/// <summary>
/// Around every call an engine grain receives (each engine grain is its own call filter, so that other grains pay
/// nothing for it): after a failure other than a rule refusal (a <see cref="DomainException"/>, raised before any
/// change) the activation is dropped, so that memory never drifts from what is stored; keep-alive follows the grain's
/// own rule; a one-way call counts as done for <see cref="Quiescence"/>.
/// </summary>
internal static class EngineCalls
{
    public static Task Invoke(IIncomingGrainCallContext context, IEngineGrain grain, Quiescence quiescence)
    {
        // A one-way call is a notification that goes on by itself (a member told of its group, a deadline's tick): it
        // is not part of the admin's change that may have sent it, so its turn does not carry the change's audit record.
        if (RequestContext.Get(AuditContext.Key) is not null && EngineOutgoingFilter.IsOneWay(context.Request)) RequestContext.Remove(AuditContext.Key);
        Task call;
        try
        {
            call = context.Invoke();
        }
        catch (Exception error)
        {
            call = Task.FromException(error);
        }
        if (!call.IsCompletedSuccessfully) return AfterAsync(call, context, grain, quiescence);
        After(context, grain, quiescence);
        return Task.CompletedTask;
    }

    private static async Task AfterAsync(Task call, IIncomingGrainCallContext context, IEngineGrain grain, Quiescence quiescence)
    {
        try
        {
            await call;
        }
        catch (Exception error) when (error is not DomainException)
        {
            context.TargetContext.Deactivate(new DeactivationReason(DeactivationReasonCode.ApplicationError, error, "A turn failed: the state is read again from storage."));
            throw;
        }
        finally
        {
            After(context, grain, quiescence);
        }
    }

    private static void After(IIncomingGrainCallContext context, IEngineGrain grain, Quiescence quiescence)
    {
        grain.ApplyKeepAlive();
        if (quiescence.Enabled && EngineOutgoingFilter.IsOneWay(context.Request)) quiescence.Done();
    }
}

/// <summary>Counts one-way calls as they are sent, for <see cref="Quiescence"/>: their receiver counts them done.</summary>
public sealed class EngineOutgoingFilter(Quiescence quiescence) : IOutgoingGrainCallFilter
{
    public Task Invoke(IOutgoingGrainCallContext context)
    {
        if (quiescence.Enabled && IsOneWay(context.Request)) quiescence.Sent();
        return context.Invoke();
    }

    public static bool IsOneWay(IInvokable request) => request is IRequest r && (r.Options & InvokeMethodOptions.OneWay) != 0;
}

/// <summary>
/// For tests: completes when no one-way call is in flight in this silo. Awaited calls need no count (their caller
/// waits for them), and deadline ticks are one-way calls sent from the timer's callback (which a fake clock runs
/// inside <c>Advance</c>), so a test that advances the clock and then waits sees the ticks' effects.
/// </summary>
public sealed class Quiescence
{
    private readonly Lock _gate = new();
    private long _inFlight;
    private TaskCompletionSource? _idle;

    /// <summary>Off by default: counting costs a shared counter on every one-way call.</summary>
    public bool Enabled { get; init; }

    public Task WhenIdle()
    {
        if (!Enabled) throw new InvalidOperationException("Quiescence is not tracked in this silo (register Quiescence with Enabled = true).");
        lock (_gate)
        {
            if (_inFlight == 0) return Task.CompletedTask;
            _idle ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _idle.Task;
        }
    }

    public void Sent()
    {
        lock (_gate) _inFlight++;
    }

    internal void Done()
    {
        TaskCompletionSource? idle = null;
        lock (_gate)
        {
            if (--_inFlight == 0)
            {
                idle = _idle;
                _idle = null;
            }
        }
        idle?.SetResult();
    }
}
