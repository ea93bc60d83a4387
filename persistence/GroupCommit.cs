using System.Data.Common;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Engine.Persistence;

/// <summary>
/// Group commit: writes from many turns queue here; one writer runs everything queued so far in one
/// transaction, commits once (one fsync), then completes every caller. While a commit is on disk the
/// next batch gathers, so the batch grows with the load. A caller's task completes only after its
/// write is durable; if the commit fails, every write of that batch fails.
/// </summary>
public sealed partial class GroupCommit : IAsyncDisposable
{
    public const int MaxBatch = 1024;

    private readonly Database _database;
    private readonly ILogger _logger;
    private readonly Channel<Write> _queue = Channel.CreateUnbounded<Write>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _writer;
    private long _batches;
    private long _writes;

    public GroupCommit(Database database, ILogger<GroupCommit> logger)
    {
        _database = database;
        _logger = logger;
        _writer = Task.Run(WriteLoopAsync);
    }

    public long Batches => Interlocked.Read(ref _batches);

    public long Writes => Interlocked.Read(ref _writes);

    /// <summary>Runs <paramref name="operation"/> in the next batch's transaction; completes when that transaction is committed.</summary>
    public Task<T> RunAsync<T>(Func<DbConnection, DbTransaction, CancellationToken, Task<T>> operation)
    {
        var write = new Write<T>(operation);
        if (!_queue.Writer.TryWrite(write)) throw new ObjectDisposedException(nameof(GroupCommit));
        return write.Completion.Task;
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<Write>(MaxBatch);
        DbConnection? connection = null;
        try
        {
            while (await _queue.Reader.WaitToReadAsync(_stop.Token).ConfigureAwait(false))
            {
                while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var write)) batch.Add(write);
                try
                {
                    connection ??= await _database.OpenAsync(_stop.Token).ConfigureAwait(false);
                    await CommitAsync(connection, batch).ConfigureAwait(false);
                    Interlocked.Increment(ref _batches);
                    Interlocked.Add(ref _writes, batch.Count);
                    foreach (var write in batch) write.Succeed();
                }
                catch (Exception e) when (e is DbException or InvalidOperationException or TimeoutException or IOException)
                {
                    LogBatchFailed(_logger, e, batch.Count);
                    foreach (var write in batch) write.Fail(e);
                    // A broken connection is opened afresh for the next batch.
                    if (connection is not null) await connection.DisposeAsync().ConfigureAwait(false);
                    connection = null;
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
            if (connection is not null) await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task CommitAsync(DbConnection connection, List<Write> batch)
    {
        await using var transaction = await connection.BeginTransactionAsync(_stop.Token).ConfigureAwait(false);
        foreach (var write in batch) await write.RunAsync(connection, transaction, _stop.Token).ConfigureAwait(false);
        await transaction.CommitAsync(_stop.Token).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        // Writes already queued are committed before the writer stops.
        _queue.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
        _stop.Dispose();
    }

    [LoggerMessage(EventId = 300, Level = LogLevel.Error, Message = "A group commit of {Count} writes failed; each caller got the error")]
    private static partial void LogBatchFailed(ILogger logger, Exception error, int count);

    private abstract class Write
    {
        public abstract Task RunAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken);
        public abstract void Succeed();
        public abstract void Fail(Exception error);
    }

    private sealed class Write<T>(Func<DbConnection, DbTransaction, CancellationToken, Task<T>> operation) : Write
    {
        private T _result = default!;

        public TaskCompletionSource<T> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override async Task RunAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
            => _result = await operation(connection, transaction, cancellationToken).ConfigureAwait(false);

        public override void Succeed() => Completion.TrySetResult(_result);

        public override void Fail(Exception error) => Completion.TrySetException(error);
    }
}
