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
/// <see cref="Reason"/>), <c>offerRinging</c> (with the conversation, its group and the answer deadline),
/// <c>offerWithdrawn</c>, <c>signedOut</c>, <c>conversation</c> (the conversation's new <see cref="Status"/>, and its end reason as
/// <see cref="Reason"/>) or <c>message</c> (one of the conversation's messages, with its <see cref="Seq"/>: a workbench
/// shows each number once and asks for the numbers it missed after a reconnect).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record AgentPush(
    [property: Id(0)] string Tenant, [property: Id(1)] string AgentId, [property: Id(2)] string Kind,
    [property: Id(3)] string? ConversationId = null, [property: Id(4)] string? GroupId = null, [property: Id(5)] DateTimeOffset? Deadline = null,
    [property: Id(6)] string? Status = null, [property: Id(7)] string? Reason = null,
    [property: Id(8)] long? Seq = null, [property: Id(9)] string? Sender = null, [property: Id(10)] string? MessageKind = null,
    [property: Id(11)] string? Content = null, [property: Id(12)] DateTimeOffset? At = null)
{
    public const string StatusKind = "status";
    public const string OfferRingingKind = "offerRinging";
    public const string OfferWithdrawnKind = "offerWithdrawn";
    public const string ConversationKind = "conversation";
    public const string MessageKindName = "message";

    /// <summary>AG-3: the agent was deleted or their password reset (<see cref="Reason"/>); their open workbenches are closed.</summary>
    public const string SignedOutKind = "signedOut";

    /// <summary>The reason of the status push when the agent's last workbench stayed away past the presence grace.</summary>
    public const string ConnectionLostReason = "connection-lost";
}
