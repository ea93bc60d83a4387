namespace Engine.Grains.Routing;

/// <summary>
/// What a silo that holds an agent's workbench connections hears from the agent's grain (a grain observer the silo
/// registers with <see cref="IAgentGrain.Subscribe"/>): the push reaches the silo of the connection, in a cluster too.
/// </summary>
public interface IAgentObserver : IGrainObserver
{
    [OneWay]
    Task Pushed(AgentPush push);
}

/// <summary>
/// Something an agent's workbench shows as it happens: <c>status</c> (with <see cref="Status"/> and
/// <see cref="Reason"/>), <c>offerRinging</c> (with the conversation, its group and the answer deadline) or
/// <c>offerWithdrawn</c>.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record AgentPush(
    [property: Id(0)] string Tenant, [property: Id(1)] string AgentId, [property: Id(2)] string Kind,
    [property: Id(3)] string? ConversationId = null, [property: Id(4)] string? GroupId = null, [property: Id(5)] DateTimeOffset? Deadline = null,
    [property: Id(6)] string? Status = null, [property: Id(7)] string? Reason = null)
{
    public const string StatusKind = "status";
    public const string OfferRingingKind = "offerRinging";
    public const string OfferWithdrawnKind = "offerWithdrawn";
}
