using Engine.Grains.Runtime;
using Engine.StateMachines;

namespace Engine.Grains.Routing;

/// <summary>
/// Base of the routing grains. Their rule checks run before any change, so a <see cref="DomainException"/>
/// leaves memory as stored and the instance stays; any other failure makes the runtime re-read the state.
/// </summary>
public abstract class RoutingGrain<TState> : Grain<TState> where TState : class, new()
{
    protected internal override bool IsStateSafeAfter(Exception error) => error is DomainException;

    /// <summary>
    /// A state write and its history record, both already started so that they share one group-commit
    /// batch; both are awaited, also when the first fails.
    /// </summary>
    protected static async ValueTask Together(ValueTask stateWrite, ValueTask record)
    {
        try
        {
            await stateWrite;
        }
        finally
        {
            await record;
        }
    }
}
