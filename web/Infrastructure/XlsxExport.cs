using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http.HttpResults;
using MiniExcelLibs;

namespace Engine.Web.Infrastructure;

/// <summary>
/// One sheet of an .xlsx (column titles, then the rows) written to a stream as the rows come, so that an export's
/// memory does not grow with its rows (DB-5, DB-6). MiniExcel writes the package in its streaming mode: a zip in
/// create mode (never <c>FastMode</c>, whose update mode keeps every entry in memory), the sheet's rows one after the
/// other, strings inline (no shared-string table). Cells may be strings, numbers, booleans, <see cref="DateTime"/>s
/// (shown as dates and times of the clock they hold) or null (an empty cell).
/// </summary>
public static class XlsxExport
{
    public const string ContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    /// <summary>Bytes collected from the writer's synchronous writes before they are passed on (between two rows).</summary>
    private const int PassOnAt = 32 * 1024;

    /// <summary>Writes the sheet to <paramref name="output"/> (which need not seek) and flushes it.</summary>
    public static async Task WriteAsync(Stream output, IReadOnlyList<string> titles, IAsyncEnumerable<IReadOnlyList<object?>> rows, CancellationToken cancellationToken)
    {
        var keys = Enumerable.Range(0, titles.Count).Select(i => "c" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        await using var sink = new AsyncSink(output);
        // The titles go as the first row rather than as MiniExcel's header, which it takes from the first row's
        // keys and so leaves out of a sheet without rows.
        await sink.SaveAsAsync(Cells(keys, titles, rows, sink, cancellationToken), printHeader: false, cancellationToken: cancellationToken);
        await sink.FlushAsync(cancellationToken);
    }

    /// <summary>An attachment named <paramref name="fileName"/> whose sheet is written to the response as the rows come.</summary>
    public static PushStreamHttpResult File(string fileName, IReadOnlyList<string> titles, IAsyncEnumerable<IReadOnlyList<object?>> rows, CancellationToken cancellationToken)
        => TypedResults.Stream(body => WriteAsync(body, titles, rows, cancellationToken), ContentType, fileName);

    private static async IAsyncEnumerable<Dictionary<string, object?>> Cells(
        string[] keys, IReadOnlyList<string> titles, IAsyncEnumerable<IReadOnlyList<object?>> rows, AsyncSink sink, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        yield return Row(keys, titles.ToArray<object?>());
        await foreach (var row in rows.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (row.Count != keys.Length) throw new ArgumentException($"A row has {row.Count} cells for {keys.Length} columns.", nameof(rows));
            // Between two rows the writer is idle: what it wrote since is passed on here, asynchronously.
            await sink.PassOnAsync(PassOnAt, cancellationToken).ConfigureAwait(false);
            yield return Row(keys, row);
        }
    }

    private static Dictionary<string, object?> Row(string[] keys, IReadOnlyList<object?> cells)
    {
        var row = new Dictionary<string, object?>(keys.Length, StringComparer.Ordinal);
        for (var i = 0; i < keys.Length; i++) row[keys[i]] = cells[i];
        return row;
    }

    /// <summary>
    /// Takes MiniExcel's writes and passes them on to the output with asynchronous writes only: it writes some of the
    /// package synchronously (closing a zip entry, the zip's directory), which a server's response refuses. What it
    /// holds at a time is what the writer wrote since the last pass (about <see cref="PassOnAt"/>, a row more at most).
    /// </summary>
    private sealed class AsyncSink(Stream output) : Stream
    {
        private readonly MemoryStream _held = new();

        public Task SaveAsAsync(object rows, bool printHeader, CancellationToken cancellationToken)
            => MiniExcel.SaveAsAsync(this, rows, printHeader, excelType: ExcelType.XLSX, cancellationToken: cancellationToken);

        public async Task PassOnAsync(int atLeast, CancellationToken cancellationToken)
        {
            if (_held.Length < atLeast) return;
            await output.WriteAsync(_held.GetBuffer().AsMemory(0, (int)_held.Length), cancellationToken).ConfigureAwait(false);
            _held.SetLength(0);
        }

        public override async Task FlushAsync(CancellationToken cancellationToken)
        {
            await PassOnAsync(1, cancellationToken).ConfigureAwait(false);
            await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        public override void Write(byte[] buffer, int offset, int count) => _held.Write(buffer, offset, count);

        public override void Write(ReadOnlySpan<byte> buffer) => _held.Write(buffer);

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            _held.Write(buffer, offset, count);
            return Task.CompletedTask;
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            _held.Write(buffer.Span);
            return ValueTask.CompletedTask;
        }

        /// <summary>Nothing to do synchronously: what is held goes on at the next pass or at <see cref="FlushAsync(CancellationToken)"/>.</summary>
        public override void Flush()
        {
        }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) _held.Dispose();
            base.Dispose(disposing);
        }
    }
}
