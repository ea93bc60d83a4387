using System.Data.Common;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Engine.Persistence;

/// <summary>
/// Group commit: writes from many turns queue here; a writer runs everything queued so far in one
/// transaction, commits once (one fsync), then completes every caller. While a commit is on disk the
/// next batch gathers, so the batch grows with the load. A caller's task completes only after its
/// write is durable; if the commit fails, every write of that batch fails. PostgreSQL gets several
/// writers (lanes), each with its own connection, so that one batch's round trips and commit overlap
/// the next; SQLite has one writer at a time anyway. Order between lanes is free: every caller awaits
/// its write before making the next one that depends on it.
/// </summary>
public sealed partial class GroupCommit : IAsyncDisposable
{
    public const int MaxBatch = 1024;

    private readonly Database _database;
    private readonly ILogger _logger;
    private readonly Channel<PendingWrite> _queue = Channel.CreateUnbounded<PendingWrite>(new UnboundedChannelOptions { SingleReader = false });
    private readonly CancellationTokenSource _stop = new();
    private readonly Task[] _writers;
    private long _batches;
    private long _writes;

    /// <summary>The store the batches go to; readers of what was written open their own connections on it.</summary>
    public Database Database => _database;

    /// <summary>Prepared point reads on SQLite; null on PostgreSQL, where Npgsql prepares repeated statements itself.</summary>
    internal SqliteReads? Reads { get; }

    public GroupCommit(Database database, ILogger<GroupCommit> logger)
    {
        _database = database;
        _logger = logger;
        var lanes = database.Dialect.Kind == StoreKind.Postgres ? 4 : 1;
        _writers = [.. Enumerable.Range(0, lanes).Select(_ => Task.Run(WriteLoopAsync))];
        if (database.Dialect.Kind == StoreKind.Sqlite) Reads = new SqliteReads(database);
    }

    public long Batches => Interlocked.Read(ref _batches);

    public long Writes => Interlocked.Read(ref _writes);

    /// <summary>Runs <paramref name="write"/> in the next batch's transaction; completes with its row count once that transaction is committed.</summary>
    public Task<int> RunAsync(SqlWrite write)
    {
        var pending = new PendingWrite(write);
        if (!_queue.Writer.TryWrite(pending)) throw new ObjectDisposedException(nameof(GroupCommit));
        return pending.Completion.Task;
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<PendingWrite>(MaxBatch);
        CommitLane? lane = null;
        try
        {
            while (await _queue.Reader.WaitToReadAsync(_stop.Token).ConfigureAwait(false))
            {
                while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var write)) batch.Add(write);
                try
                {
                    lane ??= await OpenLaneAsync().ConfigureAwait(false);
                    await lane.CommitAsync(batch, _stop.Token).ConfigureAwait(false);
                    Interlocked.Increment(ref _batches);
                    Interlocked.Add(ref _writes, batch.Count);
                    foreach (var write in batch) write.Succeed();
                }
                catch (Exception e) when (e is DbException or InvalidOperationException or TimeoutException or IOException)
                {
                    LogBatchFailed(_logger, e, batch.Count);
                    foreach (var write in batch) write.Fail(e);
                    // A broken connection is opened afresh for the next batch.
                    if (lane is not null) await lane.DisposeAsync().ConfigureAwait(false);
                    lane = null;
                }
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            foreach (var write in batch) write.Fail(new ObjectDisposedException(nameof(GroupCommit)));
        }
        finally
        {
            if (lane is not null) await lane.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task<CommitLane> OpenLaneAsync() => _database.Dialect.Kind == StoreKind.Sqlite
        ? await SqliteLane.OpenAsync(_database, _stop.Token).ConfigureAwait(false)
        : new PostgresLane(await _database.OpenAsync(_stop.Token).ConfigureAwait(false));

    public async ValueTask DisposeAsync()
    {
        // Writes already queued are committed before the writer stops.
        _queue.Writer.TryComplete();
        await Task.WhenAll(_writers).ConfigureAwait(false);
        if (Reads is not null) await Reads.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    [LoggerMessage(EventId = 300, Level = LogLevel.Error, Message = "A group commit of {Count} writes failed; each caller got the error")]
    private static partial void LogBatchFailed(ILogger logger, Exception error, int count);
}

/// <summary>A write waiting in the group commit; its task completes once its batch is durable.</summary>
internal sealed class PendingWrite(SqlWrite sql)
{
    public SqlWrite Sql { get; } = sql;

    public int RowsAffected { get; set; }

    public TaskCompletionSource<int> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Succeed() => Completion.TrySetResult(RowsAffected);

    public void Fail(Exception error) => Completion.TrySetException(error);
}

/// <summary>One parameterized statement (a write for the group commit, or a prepared read); parameters are named as in the SQL (<c>@name</c>).</summary>
public sealed record SqlWrite(string Text, IReadOnlyList<(string Name, object? Value)> Parameters);
