using Engine.Grains.Routing;
using Engine.Marketing;
using Engine.Persistence.Admin;
using Engine.Web.Admin;
using Engine.Web.Auth;
using Engine.Web.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Engine.Web.Api;

/// <summary>
/// MK-7, the phrase library (话术库): the FAQ (百问百答) and the enterprise phrases, which admins manage; each agent's
/// personal phrases, which they manage; the agents' search over all three (the robot's analyzer), and the robot tried
/// out on a question. Each shelf lists, adds, edits, deletes, and imports and exports CSV.
/// </summary>
public static class PhraseApi
{
    public static IEndpointRouteBuilder MapPhraseApi(this IEndpointRouteBuilder app)
    {
        var tenant = "/api/v1/tenants/{tenantId}";
        var faq = app.MapGroup(tenant + "/faq").WithTags("Phrase library").RequireTenantMember().RequireAuthorization(Policies.Admin).Audited("faq-entry", "phraseId");
        MapShelf(faq, _ => PhraseShelf.Faq);
        app.MapGroup(tenant + "/robot").WithTags("Phrase library").RequireTenantMember().RequireAuthorization(Policies.Admin).NotAudited("a question tried on the robot; nothing changes")
            .MapPost("/ask", Ask);
        var enterprise = app.MapGroup(tenant + "/phrases").WithTags("Phrase library").RequireTenantMember().RequireAuthorization(Policies.Admin).Audited("phrase", "phraseId");
        MapShelf(enterprise, _ => PhraseShelf.Enterprise);
        var personal = app.MapGroup(tenant + "/me/phrases").WithTags("Phrase library").RequireTenantMember().RequireAuthorization(Policies.Member).Audited("personal-phrase", "phraseId");
        MapShelf(personal, http => PhraseShelf.Personal(http.User.UserId()));
        app.MapGroup(tenant + "/me/phrase-search").WithTags("Phrase library").RequireTenantMember().RequireAuthorization(Policies.Member).NotAudited("a search")
            .MapGet("", Search);
        return app;
    }

    /// <summary>FAQ entries: <c>question</c>, <c>similarQuestions</c>, <c>answer</c>; phrases: <c>title</c> (optional) and <c>text</c>. Both: <c>category</c>.</summary>
    public sealed record PhraseBody(string? Category, string? Question, IReadOnlyList<string?>? SimilarQuestions, string? Answer, string? Title, string? Text);

    public sealed record PhraseView(string Id, string Kind, string Category, string? Question, IReadOnlyList<string>? SimilarQuestions, string? Answer, string? Title, string? Text, DateTimeOffset UpdatedAt);

    public sealed record Question(string? Text);

    /// <summary>What the robot would say: the entry it found, its confidence (0..1), and its reply (MK-4).</summary>
    public sealed record RobotView(string? EntryId, string? Question, double Confidence, bool Confident, string Reply);

    public sealed record SearchView(IReadOnlyList<PhraseView> Faq, IReadOnlyList<PhraseView> Phrases);

    private static void MapShelf(RouteGroupBuilder group, Func<HttpContext, PhraseShelf> shelf)
    {
        group.MapGet("", (string tenantId, string? category, string? keyword, int? offset, int? limit, HttpContext http, PhraseStore phrases, CancellationToken ct)
            => List(tenantId, shelf(http), category, keyword, offset, limit, phrases, ct));
        group.MapGet("/categories", async (string tenantId, HttpContext http, PhraseStore phrases, CancellationToken ct)
            => TypedResults.Ok(await phrases.CategoriesAsync(tenantId, shelf(http).Kind, shelf(http).OwnerId, ct)));
        group.MapPost("", (string tenantId, PhraseBody body, HttpContext http, PhraseLibrary library, CancellationToken ct) => Add(tenantId, shelf(http), body, http.Request.Path, library, ct));
        group.MapPatch("/{phraseId}", (string tenantId, string phraseId, PhraseBody body, HttpContext http, PhraseLibrary library, CancellationToken ct) => Change(tenantId, shelf(http), phraseId, body, library, ct));
        group.MapDelete("/{phraseId}", (string tenantId, string phraseId, HttpContext http, PhraseLibrary library, CancellationToken ct) => Remove(tenantId, shelf(http), phraseId, library, ct));
        group.MapGet("/export", (string tenantId, HttpContext http, PhraseStore phrases, CancellationToken ct) => PhraseCsv.ExportAsync(tenantId, shelf(http), phrases, ct));
        // Cookie callers are held to the CSRF header by the auth pipeline; the form needs no token of its own.
        group.MapPost("/import", (string tenantId, HttpContext http, PhraseLibrary library, CancellationToken ct) => PhraseCsv.ImportAsync(tenantId, shelf(http), http.Request, library, ct))
            .DisableAntiforgery();
    }

    public static async Task<Ok<PageOf<PhraseView>>> List(string tenantId, PhraseShelf shelf, string? category, string? keyword, int? offset, int? limit, PhraseStore phrases, CancellationToken cancellationToken)
    {
        var paging = Paging.From(offset, limit);
        var page = await phrases.ListAsync(tenantId, shelf.Kind, shelf.OwnerId, Blank(category), Blank(keyword), paging.Offset, paging.Limit, cancellationToken);
        return TypedResults.Ok(new PageOf<PhraseView>([.. page.Items.Select(ViewOf)], page.Total, page.Offset, page.Limit));
    }

    public static async Task<Created<PhraseView>> Add(string tenantId, PhraseShelf shelf, PhraseBody body, string shelfPath, PhraseLibrary library, CancellationToken cancellationToken)
    {
        var input = Checked(shelf, body);
        var row = await library.AddAsync(tenantId, shelf, input, cancellationToken);
        return TypedResults.Created($"{shelfPath}/{row.Id}", ViewOf(row));
    }

    public static async Task<Ok<PhraseView>> Change(string tenantId, PhraseShelf shelf, string id, PhraseBody body, PhraseLibrary library, CancellationToken cancellationToken)
    {
        var row = await library.RequireAsync(tenantId, shelf, id, cancellationToken);
        // A field left out keeps its value.
        var merged = body with
        {
            Category = body.Category ?? row.Category,
            Question = shelf.IsFaq ? body.Question ?? row.Title : body.Question,
            SimilarQuestions = shelf.IsFaq ? body.SimilarQuestions ?? [.. row.SimilarQuestions] : body.SimilarQuestions,
            Answer = shelf.IsFaq ? body.Answer ?? row.Body : body.Answer,
            Title = shelf.IsFaq ? body.Title : body.Title ?? row.Title,
            Text = shelf.IsFaq ? body.Text : body.Text ?? row.Body,
        };
        return TypedResults.Ok(ViewOf(await library.ChangeAsync(row, Checked(shelf, merged), cancellationToken)));
    }

    public static async Task<NoContent> Remove(string tenantId, PhraseShelf shelf, string id, PhraseLibrary library, CancellationToken cancellationToken)
    {
        await library.RemoveAsync(await library.RequireAsync(tenantId, shelf, id, cancellationToken), cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>MK-4: the robot tried on a question, as a visitor would get it (in hours, waiting for staff).</summary>
    public static async Task<Ok<RobotView>> Ask(string tenantId, Question body, IGrainFactory grains, PhraseStore phrases, CancellationToken cancellationToken)
    {
        var checks = new Checks();
        var text = checks.MessageText("text", body.Text, ChannelEventsApi.MaxTextCharacters);
        checks.ThrowIfAny();
        var found = await grains.Faq(tenantId).Ask(text);
        var entry = found.EntryId is { } id ? await phrases.GetAsync(tenantId, id, cancellationToken) : null;
        return TypedResults.Ok(new RobotView(found.EntryId, entry?.Title, Math.Round(found.Confidence, 3), found.Confidence >= RobotReplies.Threshold,
            RobotReplies.Reply(found.Answer, found.Confidence, RobotSituation.Queued)));
    }

    /// <summary>MK-7: an agent's search over the FAQ, the enterprise phrases and their own, with the robot's analyzer.</summary>
    public static async Task<Ok<SearchView>> Search(string tenantId, string? q, int? limit, HttpContext http, IGrainFactory grains, PhraseStore phrases, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(q) || q.Length > 200) throw RequestValidationException.For("q", "is required, at most 200 characters");
        var hits = await grains.Faq(tenantId).Search(http.User.UserId(), q.Trim(), Math.Clamp(limit ?? 10, 1, 50));
        var faq = await phrases.GetManyAsync(tenantId, hits.Faq, cancellationToken);
        var found = await phrases.GetManyAsync(tenantId, hits.Phrases, cancellationToken);
        return TypedResults.Ok(new SearchView([.. faq.Select(ViewOf)], [.. found.Select(ViewOf)]));
    }

    private static PhraseInput Checked(PhraseShelf shelf, PhraseBody body)
    {
        var checks = new Checks();
        if (shelf.IsFaq && (body.Title is not null || body.Text is not null)) checks.Add(body.Title is not null ? "title" : "text", "belongs to phrases; an FAQ entry has question, similarQuestions and answer");
        if (!shelf.IsFaq && (body.Question is not null || body.Answer is not null)) checks.Add(body.Question is not null ? "question" : "answer", "belongs to FAQ entries; a phrase has title and text");
        var input = PhraseLibrary.Check(checks, shelf, body.Category, shelf.IsFaq ? body.Question : body.Title, body.SimilarQuestions, shelf.IsFaq ? body.Answer : body.Text);
        checks.ThrowIfAny();
        return input;
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    public static PhraseView ViewOf(PhraseRow row) => row.Kind == PhraseStore.Faq
        ? new PhraseView(row.Id, row.Kind, row.Category, row.Title, row.SimilarQuestions, row.Body, null, null, UnixTime.At(row.UpdatedAt))
        : new PhraseView(row.Id, row.Kind, row.Category, null, null, null, row.Title, row.Body, UnixTime.At(row.UpdatedAt));
}
