using Engine.Grains.Routing;

namespace Engine.Grains.Faq;

/// <summary>
/// A tenant's FAQ index (key <c>tenant/faq</c>): built from the store when the grain activates, changed entry by entry
/// as admins edit, and dropped with the activation when idle (the next question builds it again). One activation in the
/// cluster, so every server's robot answers from the same entries.
/// </summary>
[GrainType(nameof(FaqGrain))]
public sealed class FaqGrain(IFaqSource source) : Grain, IFaqGrain
{
    private FaqIndex? _index;
    private FaqIndex? _phrases;

    private string Tenant => EngineKey.Split(this.GetPrimaryKeyString()).Tenant;

    public override Task OnActivateAsync(CancellationToken cancellationToken) => Reload().AsTask();

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _index?.Dispose();
        _phrases?.Dispose();
        (_index, _phrases) = (null, null);
        return Task.CompletedTask;
    }

    public ValueTask<RobotAnswer> Ask(string question) => new(Index.Ask(question));

    public ValueTask<PhraseHits> Search(string agentId, string text, int limit)
        => new(new PhraseHits(
            [.. Index.Search(text, limit).Select(hit => hit.Id)],
            [.. Phrases.Search(text, limit, [FaqDocument.Enterprise, FaqDocument.Personal(agentId)]).Select(hit => hit.Id)]));

    public ValueTask Changed(string id, bool faq, FaqDocument? document)
    {
        var index = faq ? Index : Phrases;
        if (document is null) index.Remove(id);
        else index.Upsert(document);
        return default;
    }

    public async ValueTask Reload()
    {
        var (faq, phrases) = (new FaqIndex(await source.AllAsync(Tenant, CancellationToken.None)), new FaqIndex(await source.PhrasesAsync(Tenant, CancellationToken.None)));
        _index?.Dispose();
        _phrases?.Dispose();
        (_index, _phrases) = (faq, phrases);
    }

    private FaqIndex Index => _index ?? throw new InvalidOperationException("The FAQ grain is not active.");

    private FaqIndex Phrases => _phrases ?? throw new InvalidOperationException("The FAQ grain is not active.");
}
