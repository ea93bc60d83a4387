namespace Engine.Web.Tests.Support;

/// <summary>
/// Counts the one-way calls sent to the engine's grains (whose turns count them done), leaving out those of the
/// server's other grains (the Orleans dashboard's) and the pushes to the servers' observers, which no engine grain
/// receives: a test then waits for what a clock
/// advance set going (the grains' deadline ticks) with <see cref="Engine.Grains.Hosting.Quiescence.WhenIdle"/>.
/// </summary>
public sealed class EngineOneWayCounter(Engine.Grains.Hosting.Quiescence quiescence) : Orleans.IOutgoingGrainCallFilter
{
    public Task Invoke(Orleans.IOutgoingGrainCallContext context)
    {
        if (Engine.Grains.Hosting.EngineOutgoingFilter.IsOneWay(context.Request) && context.InterfaceName.StartsWith("Engine.", StringComparison.Ordinal)
            && !typeof(IGrainObserver).IsAssignableFrom(context.Request.GetInterfaceType()))
            quiescence.Sent();
        return context.Invoke();
    }
}
