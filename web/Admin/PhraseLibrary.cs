using System.Text.Json;
using Engine.Grains.Routing;
using Engine.Persistence.Admin;
using Engine.Web.Infrastructure;

namespace Engine.Web.Admin;

/// <summary>One kind of the phrase library as a caller reaches it: FAQ and enterprise phrases (the tenant's), or an agent's personal phrases.</summary>
public sealed record PhraseShelf(string Kind, string? OwnerId)
{
    public static readonly PhraseShelf Faq = new(PhraseStore.Faq, null);
    public static readonly PhraseShelf Enterprise = new(PhraseStore.Enterprise, null);

    public static PhraseShelf Personal(string agentId) => new(PhraseStore.Personal, agentId);

    public bool IsFaq => Kind == PhraseStore.Faq;

    /// <summary>MK-7 limits: FAQ entries and enterprise phrases per tenant, personal phrases per agent.</summary>
    public int Max => Kind switch
    {
        PhraseStore.Faq => 10_000,
        PhraseStore.Enterprise => 5_000,
        _ => 500,
    };
}

/// <summary>An entry or phrase as written: FAQ entries have a question, similar questions and an answer; phrases an optional title and a text.</summary>
public sealed record PhraseInput(string Category, string Title, IReadOnlyList<string> Similar, string Body);

/// <summary>
/// MK-7: the phrase library's changes, each written to the store and then told to the tenant's FAQ grain, whose indexes
/// (the robot's and the agents' search) follow at once. An import is written all or none and rebuilds the indexes.
/// </summary>
public sealed class PhraseLibrary(PhraseStore phrases, IGrainFactory grains, TimeProvider time)
{
    public const int MaxCategoryCharacters = 20;
    public const int MaxQuestionCharacters = 100;
    public const int MaxSimilarQuestions = 20;
    public const int MaxAnswerCharacters = 2000;

    /// <summary>Checks one entry or phrase; the fields named as the API names them.</summary>
    public static PhraseInput Check(Checks checks, PhraseShelf shelf, string? category, string? title, IReadOnlyList<string?>? similar, string? body)
    {
        var cleanCategory = checks.Text("category", category, MaxCategoryCharacters, required: false) is { Length: > 0 } c ? c : "默认";
        if (shelf.IsFaq)
        {
            var question = checks.Text("question", title, MaxQuestionCharacters);
            if (similar is { Count: > MaxSimilarQuestions }) checks.Add("similarQuestions", $"must have at most {MaxSimilarQuestions} questions");
            var similars = (similar ?? []).Select((q, i) => checks.Text($"similarQuestions[{i}]", q, MaxQuestionCharacters)).Where(q => q.Length > 0).Distinct().ToList();
            return new PhraseInput(cleanCategory, question, similars, checks.MessageText("answer", body, MaxAnswerCharacters));
        }
        if (similar is not null) checks.Add("similarQuestions", "belong to FAQ entries only");
        return new PhraseInput(cleanCategory, checks.Text("title", title, 30, required: false), [], checks.MessageText("text", body, MaxAnswerCharacters));
    }

    public async Task<PhraseRow> AddAsync(string tenantId, PhraseShelf shelf, PhraseInput input, CancellationToken cancellationToken)
    {
        var row = Row(tenantId, shelf, input);
        if (!await phrases.InsertAsync(tenantId, [row], shelf.Max, row.Id, cancellationToken))
            throw RequestValidationException.For(shelf.IsFaq ? "question" : "text", $"cannot be added: at most {shelf.Max:N0} here (MK-7)");
        await grains.Faq(tenantId).Changed(row.Id, shelf.IsFaq, row.Document());
        return row;
    }

    /// <summary>Adds the rows of an import, all or none.</summary>
    public async Task AddAllAsync(string tenantId, PhraseShelf shelf, IReadOnlyList<PhraseInput> inputs, CancellationToken cancellationToken)
    {
        if (!await phrases.InsertAsync(tenantId, [.. inputs.Select(i => Row(tenantId, shelf, i))], shelf.Max, null, cancellationToken))
            throw RequestValidationException.For("file", $"would take the library past {shelf.Max:N0} here (MK-7); nothing was imported");
        await grains.Faq(tenantId).Reload();
    }

    public async Task<PhraseRow> ChangeAsync(PhraseRow row, PhraseInput input, CancellationToken cancellationToken)
    {
        (row.Category, row.Title, row.Similar, row.Body) = (input.Category, input.Title, JsonSerializer.Serialize(input.Similar), input.Body);
        row.UpdatedAt = time.GetUtcNow().ToUnixTimeMilliseconds();
        await phrases.UpdateAsync(row, cancellationToken);
        await grains.Faq(row.TenantId).Changed(row.Id, row.Kind == PhraseStore.Faq, row.Document());
        return row;
    }

    public async Task RemoveAsync(PhraseRow row, CancellationToken cancellationToken)
    {
        await phrases.DeleteAsync(row.TenantId, row.Id, cancellationToken);
        await grains.Faq(row.TenantId).Changed(row.Id, row.Kind == PhraseStore.Faq, null);
    }

    /// <summary>The row of this shelf (a personal phrase only to its owner), or 404.</summary>
    public async Task<PhraseRow> RequireAsync(string tenantId, PhraseShelf shelf, string id, CancellationToken cancellationToken)
        => await phrases.GetAsync(tenantId, id, cancellationToken) is { } row && row.Kind == shelf.Kind && row.OwnerId == shelf.OwnerId
            ? row
            : throw new NotFoundException(shelf.IsFaq ? $"FAQ entry {id}" : $"Phrase {id}");

    private PhraseRow Row(string tenantId, PhraseShelf shelf, PhraseInput input)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        return new PhraseRow
        {
            Id = Ids.New(), TenantId = tenantId, Kind = shelf.Kind, OwnerId = shelf.OwnerId, Category = input.Category, Title = input.Title,
            Similar = JsonSerializer.Serialize(input.Similar), Body = input.Body, CreatedAt = now, UpdatedAt = now,
        };
    }
}
