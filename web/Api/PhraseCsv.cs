using System.Globalization;
using System.Text;
using CsvHelper;
using CsvHelper.Configuration;
using Engine.Persistence.Admin;
using Engine.Web.Admin;
using Engine.Web.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Engine.Web.Api;

/// <summary>
/// MK-7 import and export as CSV (UTF-8 with a byte order mark, so that Excel reads the Chinese). FAQ:
/// <c>category,question,similarQuestions,answer</c>, similar questions one per line in their cell (or split by <c>|</c>);
/// phrases: <c>category,title,text</c>. An import is checked whole and written all or none.
/// </summary>
public static class PhraseCsv
{
    public const long MaxBytes = 5 * 1024 * 1024;
    public const int MaxRows = 10_000;

    public sealed record ImportResult(int Added);

    private static string[] Columns(PhraseShelf shelf) => shelf.IsFaq ? ["category", "question", "similarQuestions", "answer"] : ["category", "title", "text"];

    public static async Task<FileContentHttpResult> ExportAsync(string tenantId, PhraseShelf shelf, PhraseStore phrases, CancellationToken cancellationToken)
    {
        await using var text = new StringWriter(CultureInfo.InvariantCulture);
        await using (var csv = new CsvWriter(text, CultureInfo.InvariantCulture, leaveOpen: true))
        {
            foreach (var column in Columns(shelf)) csv.WriteField(column);
            await csv.NextRecordAsync();
            for (var offset = 0; ; offset += Paging.MaxLimit)
            {
                var page = await phrases.ListAsync(tenantId, shelf.Kind, shelf.OwnerId, null, null, offset, Paging.MaxLimit, cancellationToken);
                foreach (var row in page.Items)
                {
                    csv.WriteField(row.Category);
                    csv.WriteField(row.Title);
                    if (shelf.IsFaq) csv.WriteField(string.Join("\n", row.SimilarQuestions));
                    csv.WriteField(row.Body);
                    await csv.NextRecordAsync();
                }
                if (page.Items.Count < Paging.MaxLimit) break;
            }
        }
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(text.ToString())).ToArray();
        return TypedResults.File(bytes, "text/csv", $"{shelf.Kind}.csv");
    }

    /// <summary>A CSV file (multipart <c>file</c>); a row that fails its checks fails the import, and the problem names each such row and field (<c>rows[3].answer</c>, by line).</summary>
    public static async Task<Ok<ImportResult>> ImportAsync(string tenantId, PhraseShelf shelf, HttpRequest request, PhraseLibrary library, CancellationToken cancellationToken)
    {
        var file = await Uploads.FileAsync(request, MaxBytes, "a CSV file", cancellationToken);

        var columns = Columns(shelf);
        var inputs = new List<PhraseInput>();
        var errors = new Checks();
        var refused = 0;
        using var reader = new StreamReader(file.OpenReadStream(), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        using var csv = new CsvReader(reader, new CsvConfiguration(CultureInfo.InvariantCulture) { BadDataFound = null, DetectColumnCountChanges = false });
        if (!await csv.ReadAsync() || !csv.ReadHeader()) throw RequestValidationException.For("file", $"is empty; the first line names the columns {string.Join(",", columns)}");
        var header = csv.HeaderRecord ?? [];
        var missing = columns.Where(c => !header.Contains(c, StringComparer.OrdinalIgnoreCase) && c is not ("title" or "similarQuestions" or "category")).ToList();
        if (missing.Count > 0) throw RequestValidationException.For("file", $"lacks the column(s) {string.Join(", ", missing)}");
        while (await csv.ReadAsync())
        {
            if (inputs.Count + refused >= MaxRows) throw RequestValidationException.For("file", $"has more than {MaxRows:N0} rows; split it");
            string? Field(string name)
            {
                var index = Array.FindIndex(header, h => string.Equals(h, name, StringComparison.OrdinalIgnoreCase));
                return index >= 0 && csv.TryGetField<string>(index, out var value) ? value : null;
            }
            if (columns.All(c => string.IsNullOrWhiteSpace(Field(c)))) continue;
            var checks = new Checks();
            var similar = shelf.IsFaq ? Field("similarQuestions")?.Split(['\n', '|'], StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) : null;
            var input = PhraseLibrary.Check(checks, shelf, Field("category"), Field(shelf.IsFaq ? "question" : "title"), similar, Field(shelf.IsFaq ? "answer" : "text"));
            try
            {
                checks.ThrowIfAny();
                inputs.Add(input);
            }
            catch (RequestValidationException invalid)
            {
                refused++;
                foreach (var (field, reasons) in invalid.Errors)
                    foreach (var reason in reasons) errors.Add($"rows[{csv.Parser.RawRow}].{field}", reason);
            }
        }
        errors.ThrowIfAny();
        AuditTrail.Note("imported", inputs.Count);
        await library.AddAllAsync(tenantId, shelf, inputs, cancellationToken);
        return TypedResults.Ok(new ImportResult(inputs.Count));
    }
}
