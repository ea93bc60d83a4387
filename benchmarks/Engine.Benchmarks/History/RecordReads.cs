using System.Diagnostics;
using System.Runtime.CompilerServices;
using Engine.Persistence.Admin;
using Engine.Web.Api;
using Engine.Web.Infrastructure;

namespace Engine.Benchmarks.History;

/// <summary>
/// The records' reads as the records API makes them (<see cref="RecordApi"/>): pages of the list (<see cref="Paging.DefaultLimit"/>
/// rows, read one longer to know of a next page), the message search's first page over its default week, and the list's
/// export through <see cref="XlsxExport"/>.
/// </summary>
internal static class RecordReads
{
    public const int WarmUpRows = 20_000;

    /// <summary>
    /// The list's first <paramref name="pages"/> pages of all records, of one account and of one agent: each page a query,
    /// from the cursor the page before it gave (found by walking the pages once).
    /// </summary>
    public static async Task<QueryTimings> PagesAsync(RecordStore records, string tenantId, string? accountId, string? agentId, int pages, CancellationToken cancellationToken)
    {
        var timings = new QueryTimings();
        foreach (var (scope, filter) in new[] { ("all", new RecordFilter()), ("account", new RecordFilter(AccountId: accountId)), ("agent", new RecordFilter(AgentId: agentId)) })
        {
            RecordKey? after = null;
            for (var page = 1; page <= pages; page++)
            {
                var cursor = after;
                timings.Add($"records {scope} page {page}", c => records.ListAsync(tenantId, filter, cursor, Paging.DefaultLimit + 1, c));
                var rows = await records.ListAsync(tenantId, filter, cursor, Paging.DefaultLimit + 1, cancellationToken).ConfigureAwait(false);
                if (rows.Count <= Paging.DefaultLimit) break;
                var last = rows[Paging.DefaultLimit - 1];
                after = new RecordKey(last.CreatedAt, last.Id);
            }
        }
        return timings;
    }

    /// <summary>The search's first page for each word, over the week before now (the API's default), in all conversations and in one agent's.</summary>
    public static QueryTimings Search(RecordStore records, string tenantId, string? agentId, IReadOnlyList<string> words)
    {
        var timings = new QueryTimings();
        foreach (var word in words)
        {
            foreach (var (scope, agent) in new[] { ("all", (string?)null), ("agent", agentId) })
            {
                timings.Add($"search '{word}' {scope}", c =>
                {
                    var to = DateTimeOffset.UtcNow;
                    var search = new MessageSearch(to.AddDays(-RecordApi.SearchDefaultDays).ToUnixTimeMilliseconds(), to.ToUnixTimeMilliseconds(), word, AgentId: agent);
                    return records.SearchMessagesAsync(tenantId, search, null, Paging.DefaultLimit + 1, c);
                });
            }
        }
        return timings;
    }

    /// <summary>
    /// The newest <paramref name="rows"/> records of the list exported as the API's export writes them (its columns, times in
    /// the tenant's zone, read <see cref="RecordApi.ExportPageSize"/> at a time) to a temporary file, deleted afterwards;
    /// after an unmeasured export of <see cref="WarmUpRows"/> to <see cref="Stream.Null"/>, as the queries are warmed up
    /// (a first export runs the writer's code before the JIT has optimized it).
    /// </summary>
    public static async Task<ExportFigures> ExportAsync(RecordStore records, string tenantId, TimeZoneInfo zone, int rows, CancellationToken cancellationToken)
    {
        await XlsxExport.WriteAsync(Stream.Null, RecordViews.ExportTitles(zone), Newest(records, tenantId, zone, Math.Min(rows, WarmUpRows), new StrongBox<int>(), cancellationToken), cancellationToken).ConfigureAwait(false);
        var path = Path.Combine(Path.GetTempPath(), $"engine-bench-export-{Guid.NewGuid():N}.xlsx");
        var memory = PeakMemory.Start();
        var clock = Stopwatch.StartNew();
        var written = new StrongBox<int>();
        try
        {
            await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true))
                await XlsxExport.WriteAsync(file, RecordViews.ExportTitles(zone), Newest(records, tenantId, zone, rows, written, cancellationToken), cancellationToken).ConfigureAwait(false);
            var seconds = clock.Elapsed.TotalSeconds;
            return new ExportFigures(written.Value, Math.Round(seconds, 2), Math.Round(written.Value / seconds), Math.Round(new FileInfo(path).Length / 1024.0 / 1024.0, 1),
                memory.PeakMb(), Math.Round(memory.StartMb, 1), memory.Method);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>The same rows read and turned into the sheet's cells without writing a sheet: the reads' share of the export; rows a second.</summary>
    public static async Task<double> ReadAsync(RecordStore records, string tenantId, TimeZoneInfo zone, int rows, CancellationToken cancellationToken)
    {
        var read = new StrongBox<int>();
        var clock = Stopwatch.StartNew();
        await foreach (var _ in Newest(records, tenantId, zone, rows, read, cancellationToken).ConfigureAwait(false))
        {
        }
        return Math.Round(read.Value / clock.Elapsed.TotalSeconds);
    }

    private static async IAsyncEnumerable<IReadOnlyList<object?>> Newest(
        RecordStore records, string tenantId, TimeZoneInfo zone, int rows, StrongBox<int> written, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var row in records.AllAsync(tenantId, new RecordFilter(), RecordApi.ExportPageSize, cancellationToken).ConfigureAwait(false))
        {
            if (written.Value == rows) yield break;
            written.Value++;
            yield return RecordViews.ExportRowOf(row, zone);
        }
    }
}

/// <summary>An export: rows, seconds, rows a second, the file's size, and the peak working set while it ran (and at its start).</summary>
internal sealed record ExportFigures(int Rows, double Seconds, double RowsPerSecond, double FileMb, double PeakWorkingSetMb, double WorkingSetAtStartMb, string PeakMethod);
