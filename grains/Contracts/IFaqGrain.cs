namespace Engine.Grains.Routing;

/// <summary>
/// A tenant's FAQ (百问百答, MK-7) as the robot searches it (key <c>tenant/faq</c>): one activation in the cluster holds the
/// tenant's index, built from the store when it activates and updated as entries change.
/// </summary>
public interface IFaqGrain : IGrainWithStringKey
{
    public const string SingletonKey = "faq";

    /// <summary>The best entry for a visitor's question, with the robot's confidence in it.</summary>
    ValueTask<RobotAnswer> Ask(string question);

    /// <summary>An entry was added or edited (<paramref name="entry"/>), or removed (null): the index follows.</summary>
    ValueTask Changed(string entryId, FaqDocument? entry);

    /// <summary>Many entries changed at once (an import): the index is built again from the store.</summary>
    ValueTask Reload();
}

/// <summary>An FAQ entry as the index holds it: its questions (the question and its similar ones) and its answer.</summary>
[GenerateSerializer, Immutable]
public sealed record FaqDocument([property: Id(0)] string Id, [property: Id(1)] IReadOnlyList<string> Questions, [property: Id(2)] string Answer);

/// <summary>Where the FAQ grain reads a tenant's entries (the server's store; nothing in a silo without one).</summary>
public interface IFaqSource
{
    ValueTask<IReadOnlyList<FaqDocument>> AllAsync(string tenant, CancellationToken cancellationToken);
}

/// <summary>A silo without a store: every tenant's FAQ is empty.</summary>
public sealed class NoFaqSource : IFaqSource
{
    public static readonly NoFaqSource Instance = new();

    public ValueTask<IReadOnlyList<FaqDocument>> AllAsync(string tenant, CancellationToken cancellationToken) => new([]);
}
