using Engine.Flows;

namespace Engine.Grains.Routing;

/// <summary>
/// What a silo that holds a web chat visitor's connections hears from the visitor's grain (a grain observer the silo
/// registers with <see cref="IVisitorGrain.Subscribe"/>): everything the visitor is to see, as the flow run pushes it.
/// </summary>
public interface IVisitorObserver : IGrainObserver
{
    [OneWay]
    Task Pushed(VisitorPush push);
}

/// <summary>Something for a visitor's chat: the flow's or the agent's replies and where the conversation stands.</summary>
[GenerateSerializer, Immutable]
public sealed record VisitorPush([property: Id(0)] string Tenant, [property: Id(1)] string VisitorId, [property: Id(2)] FlowOutcome Outcome);
