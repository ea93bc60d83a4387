using System.Globalization;
using Engine.Persistence.Admin;

namespace Engine.Web.Infrastructure;

/// <summary>
/// The cursors of the history's keyset-paged lists, as <c>next</c> gives them and <c>after</c> takes them back:
/// <c>{createdAt}~{id}</c> for records (AS-8, DB-6), <c>{sentAt}~{conversationId}~{seq}</c> for found messages (DB-7).
/// Rows added meanwhile neither shift nor repeat a page.
/// </summary>
public static class Keyset
{
    private const string NotOurs = "is not a cursor this API gave";

    /// <summary>The cursor after a record.</summary>
    public static string Of(RecordRow row) => string.Create(CultureInfo.InvariantCulture, $"{row.CreatedAt}~{row.Id}");

    /// <summary>The cursor after a message found.</summary>
    public static string Of(MessageHitRow row) => string.Create(CultureInfo.InvariantCulture, $"{row.SentAt}~{row.ConversationId}~{row.Seq}");

    /// <summary>The record cursor in <paramref name="value"/> (null: none given); a malformed one is a problem of <paramref name="field"/>.</summary>
    public static RecordKey? Record(Checks checks, string field, string? value)
    {
        if (value is null) return null;
        var parts = value.Split('~', 2);
        if (parts.Length == 2 && Number(parts[0]) is { } at && parts[1].Length > 0) return new RecordKey(at, parts[1]);
        checks.Add(field, NotOurs);
        return null;
    }

    /// <summary>The message cursor in <paramref name="value"/> (null: none given); the id between the times and the number may hold <c>~</c>.</summary>
    public static MessageKey? Message(Checks checks, string field, string? value)
    {
        if (value is null) return null;
        var (first, last) = (value.IndexOf('~', StringComparison.Ordinal), value.LastIndexOf('~'));
        if (first > 0 && last > first + 1 && Number(value[..first]) is { } at && Number(value[(last + 1)..]) is { } seq)
            return new MessageKey(at, value[(first + 1)..last], seq);
        checks.Add(field, NotOurs);
        return null;
    }

    /// <summary>
    /// A page of at most <paramref name="size"/> out of <paramref name="rows"/>, read one row longer than the page, and the
    /// cursor of the page after it: null when that extra row is not there (this page is the last).
    /// </summary>
    public static (List<T> Page, string? Next) PageOf<T>(IReadOnlyList<T> rows, int size, Func<T, string> cursorOf)
    {
        var page = rows.Take(size).ToList();
        return (page, rows.Count > size ? cursorOf(page[^1]) : null);
    }

    private static long? Number(string text) => long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;
}
