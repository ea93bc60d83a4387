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
/// the next; SQLite has one writer at a time anyway, on a thread of its own, and the fsync of one batch
/// overlaps the next batch (<see cref="SqliteLane"/>), as do checkpoints (<see cref="SqliteCheckpointer"/>). Order between lanes is free: every caller awaits
/// its write before making the next one that depends on it.
/// </summary>
public sealed partial class GroupCommit : IAsyncDisposable
{
    public const int MaxBatch = 1024;

    private readonly Database _database;
    private readonly ILogger _logger;
    private readonly Channel<PendingWrite> _queue = Channel.CreateUnbounded<PendingWrite>(new UnboundedChannelOptions { SingleReader = false });
    private readonly Channel<CommittedBatch> _committed = Channel.CreateUnbounded<CommittedBatch>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly Task[] _writers;
    private long _batches;
    private long _writes;
    private volatile Exception? _flushFailed;
    private readonly AutoResetEvent _checkpointDue = new(false);
    private volatile bool _stopping;

    /// <summary>The store the batches go to; readers of what was written open their own connections on it.</summary>
    public Database Database => _database;

    /// <summary>Prepared point reads on SQLite; null on PostgreSQL, where Npgsql prepares repeated statements itself.</summary>
    internal SqliteReads? Reads { get; }

    public GroupCommit(Database database, ILogger<GroupCommit> logger)
    {
        _database = database;
        _logger = logger;
        if (database.Dialect.Kind == StoreKind.Sqlite)
        {
            Reads = new SqliteReads(database);
            // Threads of their own: the writer is busy (or waits on the disk) all the time under load, and
            // holding thread-pool threads for that starves the grains' turns on a small machine.
            _writers = [OnOwnThread(SqliteWriteLoop), OnOwnThread(SqliteSyncLoop), OnOwnThread(SqliteCheckpointLoop)];
        }
        else
        {
            _writers = [.. Enumerable.Range(0, 4).Select(_ => Task.Run(PostgresWriteLoopAsync))];
        }
    }

    public long Batches => Interlocked.Read(ref _batches);

    public long Writes => Interlocked.Read(ref _writes);

    /// <summary>Runs <paramref name="write"/> in the next batch's transaction; completes with its row count once that transaction is committed.</summary>
    public Task<int> RunAsync(SqlWrite write)
    {
        var completion = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        Queue(new PendingWrite(write, completion));
        return completion.Task;
    }

    private void Queue(PendingWrite pending)
    {
        if (!_queue.Writer.TryWrite(pending)) throw new ObjectDisposedException(nameof(GroupCommit));
    }

    private async Task PostgresWriteLoopAsync()
    {
        var batch = new List<PendingWrite>(MaxBatch);
        PostgresLane? lane = null;
        try
        {
            while (await _queue.Reader.WaitToReadAsync(_stop.Token).ConfigureAwait(false))
            {
                Gather(batch);
                try
                {
                    lane ??= new PostgresLane(await _database.OpenAsync(_stop.Token).ConfigureAwait(false));
                    await lane.CommitAsync(batch, _stop.Token).ConfigureAwait(false);
                    Completed(batch);
                }
                catch (Exception e) when (IsStoreFailure(e))
                {
                    Failed(batch, e);
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

    /// <summary>
    /// SQLite's writer: runs and commits one batch after another. A commit is written but not yet flushed;
    /// its batch goes on to <see cref="SqliteSyncLoop"/>, which completes the callers once the WAL is on disk.
    /// </summary>
    private void SqliteWriteLoop()
    {
        SqliteLane? lane = null;
        try
        {
            while (_queue.Reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
            {
                var batch = new List<PendingWrite>(MaxBatch);
                Gather(batch);
                if (_flushFailed is { } stopped)
                {
                    Failed(batch, stopped);
                    continue;
                }
                try
                {
                    lane ??= SqliteLane.Open(_database);
                    lane.Commit(batch);
                    _committed.Writer.TryWrite(new CommittedBatch(lane.Wal, batch));
                }
                catch (Exception e) when (IsStoreFailure(e))
                {
                    Failed(batch, e);
                    // A broken connection is opened afresh for the next batch; its WAL handle closes once what it committed is flushed.
                    if (lane is not null) _committed.Writer.TryWrite(new CommittedBatch(lane.Close(), []));
                    lane = null;
                }
            }
        }
        finally
        {
            if (lane is not null) _committed.Writer.TryWrite(new CommittedBatch(lane.Close(), []));
            _committed.Writer.TryComplete();
        }
    }

    /// <summary>Flushes the WAL once for every batch committed since the last flush, then completes their callers.</summary>
    private void SqliteSyncLoop()
    {
        var taken = new List<CommittedBatch>();
        try
        {
            while (_committed.Reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
            {
                while (_committed.Reader.TryRead(out var committed)) taken.Add(committed);
                WalFile? flushed = null;
                Exception? failure = null;
                foreach (var committed in taken)
                {
                    if (!ReferenceEquals(committed.Wal, flushed))
                    {
                        failure = _flushFailed ?? committed.Wal.TryFlush();
                        flushed = committed.Wal;
                        if (failure is not null && _flushFailed is null) StopAfterFailedFlush(failure);
                    }
                    if (failure is null) Completed(committed.Writes);
                    else Failed(committed.Writes, failure);
                    if (committed.Writes.Count == 0) committed.Wal.Dispose();
                }
                taken.Clear();
                // After a failed flush nothing more is copied into the database file: recovery reads the WAL as it is on disk.
                if (_flushFailed is null) _checkpointDue.Set();
            }
        }
        finally
        {
            _stopping = true;
            _checkpointDue.Set();
        }
    }

    /// <summary>
    /// Checkpoints after each flush, as long as the writer commits; the signals of flushes during one checkpoint
    /// make one more. Stops for good after a failed flush of the WAL.
    /// </summary>
    private void SqliteCheckpointLoop()
    {
        SqliteCheckpointer? checkpointer = null;
        var failing = false;
        try
        {
            while (true)
            {
                _checkpointDue.WaitOne();
                if (_stopping || _flushFailed is not null) break;
                try
                {
                    checkpointer ??= SqliteCheckpointer.Open(_database);
                    checkpointer.Checkpoint();
                    failing = false;
                }
                catch (Exception e) when (IsStoreFailure(e))
                {
                    // The writer's own checkpoints keep the WAL in bounds meanwhile; a lasting failure is logged once.
                    if (!failing) LogCheckpointFailed(_logger, e);
                    failing = true;
                    checkpointer?.Dispose();
                    checkpointer = null;
                }
            }
        }
        finally
        {
            checkpointer?.Dispose();
        }
    }

    /// <summary>
    /// A failed fsync leaves the WAL's state on disk unknown: frames SQLite already counts as committed may
    /// be missing, and recovery would then also drop every later commit. So nothing more is acknowledged:
    /// every write from now on fails, until the server restarts (and SQLite recovers what is on disk).
    /// </summary>
    private void StopAfterFailedFlush(Exception failure)
    {
        _flushFailed = new IOException("The SQLite store stopped after a failed fsync of its WAL; restart the server.", failure);
        LogFlushFailed(_logger, failure);
    }

    private void Gather(List<PendingWrite> batch)
    {
        while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var write)) batch.Add(write);
    }

    private void Completed(List<PendingWrite> batch)
    {
        if (batch.Count == 0) return;
        Interlocked.Increment(ref _batches);
        Interlocked.Add(ref _writes, batch.Count);
        foreach (var write in batch) write.Succeed();
    }

    private void Failed(List<PendingWrite> batch, Exception error)
    {
        if (batch.Count == 0) return;
        LogBatchFailed(_logger, error, batch.Count);
        foreach (var write in batch) write.Fail(error);
    }

    private static bool IsStoreFailure(Exception e) => e is DbException or InvalidOperationException or TimeoutException or IOException or UnauthorizedAccessException;

    private static Task OnOwnThread(Action loop) => Task.Factory.StartNew(loop, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    public async ValueTask DisposeAsync()
    {
        // Writes already queued are committed before the writers stop.
        _queue.Writer.TryComplete();
        await Task.WhenAll(_writers).ConfigureAwait(false);
        if (Reads is not null) await Reads.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
        _checkpointDue.Dispose();
    }

    [LoggerMessage(EventId = 300, Level = LogLevel.Error, Message = "A group commit of {Count} writes failed; each caller got the error")]
    private static partial void LogBatchFailed(ILogger logger, Exception error, int count);

    [LoggerMessage(EventId = 301, Level = LogLevel.Critical, Message = "The fsync of SQLite's WAL failed; the store acknowledges no more writes until the server restarts")]
    private static partial void LogFlushFailed(ILogger logger, Exception error);

    [LoggerMessage(EventId = 302, Level = LogLevel.Warning, Message = "A checkpoint of SQLite's WAL beside the writer failed; the writer's own checkpoints go on")]
    private static partial void LogCheckpointFailed(ILogger logger, Exception error);

    /// <summary>A batch SQLite committed to <paramref name="Wal"/>, waiting for the flush; an empty one retires that WAL handle.</summary>
    private sealed record CommittedBatch(WalFile Wal, List<PendingWrite> Writes);
}

/// <summary>A write waiting in the group commit; its task completes once its batch is durable.</summary>
internal sealed class PendingWrite(SqlWrite sql, TaskCompletionSource<int> completion)
{
    public SqlWrite Sql { get; } = sql;

    public int RowsAffected { get; set; }

    public TaskCompletionSource<int> Completion { get; } = completion;

    public void Succeed() => Completion.TrySetResult(RowsAffected);

    public void Fail(Exception error) => Completion.TrySetException(error);
}

/// <summary>One parameterized statement (a write for the group commit, or a prepared read); parameters are named as in the SQL (<c>@name</c>).</summary>
public sealed record SqlWrite(string Text, (string Name, object? Value)[] Parameters)
{
    /// <summary>A statement run right after this one in the same transaction (its row count is not reported), such as the audit record of the change.</summary>
    public SqlWrite? Then { get; init; }
}
