using System.Globalization;
using System.Runtime.CompilerServices;
using Engine.Metrics;
using Engine.Persistence.Admin;
using Engine.Web.Auth;
using Engine.Web.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using static Engine.Web.Api.RecordViews;

namespace Engine.Web.Api;

/// <summary>
/// Conversation records (DB-6), a record's detail and messages, the message search (DB-7), and the list's export to
/// Excel. Admins read their tenant's records; an agent only those they served (AS-8: the conversation's agent is them),
/// and any other is not found for them.
/// </summary>
public static class RecordApi
{
    /// <summary>The message search covers the last 7 days unless told otherwise, and never more than 31 days at once.</summary>
    public const int SearchDefaultDays = 7;

    public const int SearchMaxDays = 31;

    /// <summary>Records read from the store at a time while an export is written.</summary>
    public const int ExportPageSize = 500;

    private static readonly IReadOnlyDictionary<string, string> Kinds = new Dictionary<string, string>(StringComparer.Ordinal) { ["text"] = "text", ["image"] = "image" };

    public static IEndpointRouteBuilder MapRecordApi(this IEndpointRouteBuilder app)
    {
        var records = app.MapGroup("/api/v1/tenants/{tenantId}/records").WithTags("Records").RequireTenantMember().RequireAuthorization(Policies.Member);
        records.MapGet("", List).WithSummary("DB-6: conversation records, newest first (an agent's: those they served)");
        records.MapGet("/export.xlsx", Export).WithSummary("DB-6: the records list as an Excel file, with the list's filters")
            .Produces(StatusCodes.Status200OK, typeof(Stream), XlsxExport.ContentType);
        records.MapGet("/messages", SearchMessages).WithSummary("DB-7: messages by text, time, kind and agent, newest first");
        records.MapGet("/{conversationId}", Detail).WithSummary("DB-7: a record's detail");
        records.MapGet("/{conversationId}/messages", Messages).WithSummary("DB-7: a record's messages in order");
        return app;
    }

    /// <summary>
    /// DB-6: records created in [<c>from</c>, <c>to</c>) (each optional), of one marketing account and/or one agent, newest
    /// first; <c>after</c> is the <c>next</c> of the page before, <c>limit</c> 1–200 (50).
    /// </summary>
    public static async Task<Ok<RecordPage>> List(
        string tenantId, string? accountId, string? agentId, DateTimeOffset? from, DateTimeOffset? to, string? after, int? limit,
        HttpContext http, RecordStore records, CancellationToken cancellationToken)
    {
        var checks = new Checks();
        var filter = FilterOf(checks, http, accountId, agentId, from, to);
        var size = checks.Range("limit", limit, 1, Paging.MaxLimit, Paging.DefaultLimit);
        var cursor = Keyset.Record(checks, "after", after);
        checks.ThrowIfAny();
        var (page, next) = Keyset.PageOf(await records.ListAsync(tenantId, filter, cursor, size + 1, cancellationToken), size, Keyset.Of);
        return TypedResults.Ok(new RecordPage([.. page.Select(ViewOf)], next));
    }

    /// <summary>
    /// DB-6: the list's rows (all of them, with the list's filters) as one sheet, written to the response as they are read;
    /// times in the tenant's zone.
    /// </summary>
    public static async Task<IResult> Export(
        string tenantId, string? accountId, string? agentId, DateTimeOffset? from, DateTimeOffset? to,
        HttpContext http, RecordStore records, TenantStore tenants, TimeProvider time, CancellationToken cancellationToken)
    {
        var checks = new Checks();
        var filter = FilterOf(checks, http, accountId, agentId, from, to);
        checks.ThrowIfAny();
        var zone = await tenants.ZoneAsync(tenantId, cancellationToken);
        var name = $"records-{TimeZoneInfo.ConvertTime(time.GetUtcNow(), zone).ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}.xlsx";
        return XlsxExport.File(name, ExportTitles(zone), ExportRows(records, tenantId, filter, zone, cancellationToken), cancellationToken);
    }

    /// <summary>DB-7: a record with its agent, account, group, region, source, times and first response (DB-3).</summary>
    public static async Task<Ok<RecordDetail>> Detail(string tenantId, string conversationId, HttpContext http, RecordStore records, CancellationToken cancellationToken)
    {
        var row = await records.RecordAsync(tenantId, conversationId, ServedBy(http), cancellationToken) ?? throw NotFound(conversationId);
        var first = ReplyMetrics.FirstResponseOf(await records.FirstMessagesAsync(tenantId, conversationId, cancellationToken));
        return TypedResults.Ok(DetailOf(row, first));
    }

    /// <summary>DB-7: a record's messages numbered after <c>after</c> (0: from the first), <c>limit</c> 1–200 (50) at a time.</summary>
    public static async Task<Ok<MessagePage>> Messages(
        string tenantId, string conversationId, long? after, int? limit, HttpContext http, RecordStore records, CancellationToken cancellationToken)
    {
        var checks = new Checks();
        var size = checks.Range("limit", limit, 1, Paging.MaxLimit, Paging.DefaultLimit);
        if (after < 0) checks.Add("after", "must be a message number (0 or more)");
        checks.ThrowIfAny();
        var servedBy = ServedBy(http);
        if (await records.ConversationAsync(tenantId, conversationId, cancellationToken) is not { } row || (servedBy is not null && row.AgentId != servedBy))
            throw NotFound(conversationId);
        var rows = await records.MessagesAsync(tenantId, conversationId, after ?? 0, size + 1, cancellationToken);
        var page = rows.Take(size).Select(ConversationApi.ViewOf).ToList();
        return TypedResults.Ok(new MessagePage(page, rows.Count > size ? page[^1].Seq : null));
    }

    /// <summary>
    /// DB-7: messages sent in [<c>from</c>, <c>to</c>) — <c>to</c> defaults to now, <c>from</c> to <see cref="SearchDefaultDays"/>
    /// days before <c>to</c>, at most <see cref="SearchMaxDays"/> days apart — whose text holds <c>q</c> (any case of Latin
    /// letters; <c>%</c> and <c>_</c> are plain characters), of a kind (<c>text</c>, <c>image</c>), in the conversations an agent
    /// served or in one conversation; newest first, <c>after</c> being the <c>next</c> of the page before.
    /// </summary>
    public static async Task<Ok<MessageHitPage>> SearchMessages(
        string tenantId, string? q, DateTimeOffset? from, DateTimeOffset? to, string? kind, string? agentId, string? conversationId, string? after, int? limit,
        HttpContext http, RecordStore records, TimeProvider time, CancellationToken cancellationToken)
    {
        var checks = new Checks();
        var end = to ?? time.GetUtcNow();
        var start = from ?? end.AddDays(-SearchDefaultDays);
        if (end <= start) checks.Add("to", "must be after from");
        else if (end - start > TimeSpan.FromDays(SearchMaxDays))
            checks.Add("to", $"must be at most {SearchMaxDays} days after from (to defaults to now, from to {SearchDefaultDays} days before to)");
        var search = new MessageSearch(
            start.ToUnixTimeMilliseconds(), end.ToUnixTimeMilliseconds(), checks.OptionalText("q", q, 100),
            kind is null ? null : checks.OneOf("kind", kind, Kinds), checks.OptionalText("agentId", agentId, 64), checks.OptionalText("conversationId", conversationId, 64), ServedBy(http));
        var size = checks.Range("limit", limit, 1, Paging.MaxLimit, Paging.DefaultLimit);
        var cursor = Keyset.Message(checks, "after", after);
        checks.ThrowIfAny();
        var (page, next) = Keyset.PageOf(await records.SearchMessagesAsync(tenantId, search, cursor, size + 1, cancellationToken), size, Keyset.Of);
        return TypedResults.Ok(new MessageHitPage([.. page.Select(HitOf)], next, start, end));
    }

    /// <summary>Admins see the tenant's records; anyone else (an agent) those they served.</summary>
    private static string? ServedBy(HttpContext http) => http.User.Role() == Roles.Admin ? null : http.User.UserId();

    private static RecordFilter FilterOf(Checks checks, HttpContext http, string? accountId, string? agentId, DateTimeOffset? from, DateTimeOffset? to)
    {
        if (from is { } f && to is { } t && t <= f) checks.Add("to", "must be after from");
        return new RecordFilter(ServedBy(http), checks.OptionalText("agentId", agentId, 64), checks.OptionalText("accountId", accountId, 64), from?.ToUnixTimeMilliseconds(), to?.ToUnixTimeMilliseconds());
    }

    private static NotFoundException NotFound(string conversationId) => new($"Record {conversationId}");

    private static async IAsyncEnumerable<IReadOnlyList<object?>> ExportRows(
        RecordStore records, string tenantId, RecordFilter filter, TimeZoneInfo zone, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var row in records.AllAsync(tenantId, filter, ExportPageSize, cancellationToken))
            yield return ExportRowOf(row, zone);
    }
}
