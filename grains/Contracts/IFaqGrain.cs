namespace Engine.Grains.Routing;

/// <summary>
/// A tenant's phrase library (话术库, MK-7) as the robot and the agents search it (key <c>tenant/faq</c>): one activation in
/// the cluster holds the tenant's indexes, built from the store when it activates and updated as entries change. The
/// robot searches the FAQ alone; an agent searches the FAQ, the enterprise phrases and their own.
/// </summary>
public interface IFaqGrain : IGrainWithStringKey
{
    public const string SingletonKey = "faq";

    /// <summary>The best FAQ entry for a visitor's question, with the robot's confidence in it.</summary>
    ValueTask<RobotAnswer> Ask(string question);

    /// <summary>An agent's search: the FAQ entries and the phrases (enterprise, and the agent's own) that match best, best first, each list at most <paramref name="limit"/>.</summary>
    ValueTask<PhraseHits> Search(string agentId, string text, int limit);

    /// <summary>An entry or phrase was added or edited (<paramref name="document"/>), or removed (null): the index follows.</summary>
    ValueTask Changed(string id, bool faq, FaqDocument? document);

    /// <summary>Many entries changed at once (an import): the indexes are built again from the store.</summary>
    ValueTask Reload();
}

/// <summary>
/// An FAQ entry or a phrase as an index holds it: its questions (an entry's question and similar ones; a phrase's title
/// and text, which agents search it by) and its answer (a phrase's text). <see cref="Scope"/>: who may find a phrase (<c>enterprise</c>, or <c>personal:</c>
/// and the agent); null for an FAQ entry.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record FaqDocument([property: Id(0)] string Id, [property: Id(1)] IReadOnlyList<string> Questions, [property: Id(2)] string Answer, [property: Id(3)] string? Scope = null)
{
    public const string Enterprise = "enterprise";

    public static string Personal(string agentId) => "personal:" + agentId;
}

/// <summary>What an agent's search found: FAQ entry ids and phrase ids, best first.</summary>
[GenerateSerializer, Immutable]
public sealed record PhraseHits([property: Id(0)] IReadOnlyList<string> Faq, [property: Id(1)] IReadOnlyList<string> Phrases);

/// <summary>Where the FAQ grain reads a tenant's entries and phrases (the server's store; nothing in a silo without one).</summary>
public interface IFaqSource
{
    ValueTask<IReadOnlyList<FaqDocument>> AllAsync(string tenant, CancellationToken cancellationToken);

    ValueTask<IReadOnlyList<FaqDocument>> PhrasesAsync(string tenant, CancellationToken cancellationToken);
}

/// <summary>A silo without a store: every tenant's FAQ is empty.</summary>
public sealed class NoFaqSource : IFaqSource
{
    public static readonly NoFaqSource Instance = new();

    public ValueTask<IReadOnlyList<FaqDocument>> AllAsync(string tenant, CancellationToken cancellationToken) => new([]);

    public ValueTask<IReadOnlyList<FaqDocument>> PhrasesAsync(string tenant, CancellationToken cancellationToken) => new([]);
}
