namespace Engine.Grains.Runtime;

/// <summary>
/// A reference to a grain, as cheap to copy as an Orleans grain reference. <c>Call</c> awaits a turn
/// of the target; <c>Tell</c> sends a one-way message and returns at once.
/// </summary>
public readonly struct GrainRef<TGrain> where TGrain : Grain
{
    private readonly GrainRuntime _runtime;
    private readonly GrainId? _caller;

    internal GrainRef(GrainRuntime runtime, GrainId id, GrainId? caller)
    {
        _runtime = runtime;
        Id = id;
        _caller = caller;
    }

    public GrainId Id { get; }

    public ValueTask<TResult> Call<TArg, TResult>(TArg arg, Func<TGrain, TArg, ValueTask<TResult>> body)
    {
        var message = new CallMessage<TGrain, TArg, TResult>(arg, body) { Caller = _caller };
        _runtime.Send(Id, message);
        return message.Task;
    }

    public ValueTask<TResult> Call<TResult>(Func<TGrain, ValueTask<TResult>> body)
        => Call(body, static (grain, b) => b(grain));

    public ValueTask Call<TArg>(TArg arg, Func<TGrain, TArg, ValueTask> body)
    {
        var message = new VoidCallMessage<TGrain, TArg>(arg, body) { Caller = _caller };
        _runtime.Send(Id, message);
        return message.Task;
    }

    public ValueTask Call(Func<TGrain, ValueTask> body) => Call(body, static (grain, b) => b(grain));

    public void Tell<TArg>(TArg arg, Func<TGrain, TArg, ValueTask> body)
        => _runtime.Send(Id, new OneWayMessage<TGrain, TArg>(arg, body) { Caller = _caller });

    public void Tell(Func<TGrain, ValueTask> body) => Tell(body, static (grain, b) => b(grain));
}
