using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.Win32.SafeHandles;

namespace Engine.Persistence;

/// <summary>
/// PostgreSQL: the whole transaction in one round trip: BEGIN, every statement of the batch, COMMIT. A
/// failed statement makes the server skip the rest, COMMIT included; the group commit then drops this
/// lane's connection, and the pool rolls the aborted transaction back before the connection serves again.
/// </summary>
internal sealed class PostgresLane(DbConnection connection) : IAsyncDisposable
{
    /// <summary>Runs the batch in one transaction and commits it (durably), setting each write's row count.</summary>
    public async ValueTask CommitAsync(List<PendingWrite> batch, CancellationToken cancellationToken)
    {
        await using var dbBatch = connection.CreateBatch();
        Add(dbBatch, "BEGIN");
        var followed = false;
        foreach (var write in batch)
        {
            Add(dbBatch, write.Sql);
            if (write.Sql.Then is { } then)
            {
                Add(dbBatch, then);
                followed = true;
            }
        }
        Add(dbBatch, "COMMIT");
        await dbBatch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        if (!followed)
        {
            for (var i = 0; i < batch.Count; i++) batch[i].RowsAffected = dbBatch.BatchCommands[i + 1].RecordsAffected;
            return;
        }
        var index = 1;
        foreach (var write in batch)
        {
            write.RowsAffected = dbBatch.BatchCommands[index].RecordsAffected;
            index += write.Sql.Then is null ? 1 : 2;
        }
    }

    private static void Add(DbBatch batch, SqlWrite write)
    {
        var command = Add(batch, write.Text);
        foreach (var (name, value) in write.Parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }
    }

    private static DbBatchCommand Add(DbBatch batch, string text)
    {
        var command = batch.CreateBatchCommand();
        command.CommandText = text;
        batch.BatchCommands.Add(command);
        return command;
    }

    public ValueTask DisposeAsync() => connection.DisposeAsync();
}

/// <summary>
/// SQLite, in process: statements prepared once for the life of the writer's own connection. The writer
/// commits with <c>synchronous=NORMAL</c>: the commit writes its frames to the WAL and returns without
/// waiting for the disk, and <see cref="Wal"/> flushes them (fsync) afterwards, while the next batch runs.
/// A caller hears of its write only after that flush, so an acknowledged write is as durable as with
/// <c>synchronous=FULL</c>. SQLite itself still syncs the WAL before each checkpoint and a new WAL header.
/// The connection is not pooled: its settings must not reach other users.
/// </summary>
internal sealed class SqliteLane
{
    // The writer keeps more pages in memory than a reader: the indexes it updates are spread over the file.
    // Not much more: SQLite scans the writer's whole page-cache hash table at the end of every transaction
    // once a b-tree balance has used the lock-byte page number as a temporary, so its cost grows with this.
    private static readonly string WriterPragmas = $"PRAGMA synchronous=NORMAL; PRAGMA cache_size=-8192; PRAGMA wal_autocheckpoint={SqliteCheckpointer.WriterCheckpointsAt};";

    private readonly SqliteConnection _connection;
    private readonly SqliteStatements _statements;

    private SqliteLane(SqliteConnection connection, WalFile wal)
    {
        _connection = connection;
        _statements = new SqliteStatements(connection);
        Wal = wal;
    }

    /// <summary>The WAL this lane commits to; flushing it makes the lane's commits durable.</summary>
    public WalFile Wal { get; }

    public static SqliteLane Open(Database database)
    {
        // An empty write transaction makes sure the WAL file exists before it is opened here.
        var connection = OpenUnpooled(database, WriterPragmas + "BEGIN IMMEDIATE; COMMIT;");
        try
        {
            return new SqliteLane(connection, WalFile.Open(connection.DataSource + "-wal"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Opens a connection of the store outside the pool, as its settings must not reach other users, with every
    /// SQLite connection's settings and then <paramref name="sql"/> run on it.
    /// </summary>
    public static SqliteConnection OpenUnpooled(Database database, string sql)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder(database.ConnectionString) { Pooling = false }.ToString());
        try
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = Dialect.SqlitePragmas + sql;
            command.ExecuteNonQuery();
            return connection;
        }
        catch (Exception e) when (e is SqliteException or IOException or UnauthorizedAccessException)
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Runs the batch in one transaction and commits it to the WAL (not yet flushed), setting each write's row count.</summary>
    public void Commit(List<PendingWrite> batch)
    {
        _statements.Begin();
        try
        {
            foreach (var write in batch)
            {
                write.RowsAffected = _statements.Run(write.Sql);
                if (write.Sql.Then is { } then) _statements.Run(then);
            }
            _statements.Commit();
        }
        catch (Exception e) when (e is SqliteException or InvalidOperationException)
        {
            _statements.Rollback();
            throw;
        }
    }

    /// <summary>Closes the connection; returns its WAL handle, to be disposed after a last flush.</summary>
    public WalFile Close()
    {
        _statements.Dispose();
        _connection.Dispose();
        return Wal;
    }
}

/// <summary>
/// Copies committed frames from the WAL into the database file (a passive checkpoint) on a connection of its
/// own, beside the writer instead of inside its commits: a checkpoint run by the commit that filled the WAL held
/// every write behind it for as long as it took (about as long as a commit). The writer still checkpoints once
/// the WAL holds <see cref="WriterCheckpointsAt"/> frames, with little left to copy by then; the write after
/// that starts the WAL again from its beginning, so it does not grow without end.
/// </summary>
internal sealed class SqliteCheckpointer : IDisposable
{
    /// <summary>The writer's own checkpoint (<c>wal_autocheckpoint</c>), in pages: what keeps the WAL short.</summary>
    public const int WriterCheckpointsAt = 4000;

    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _checkpoint;

    private SqliteCheckpointer(SqliteConnection connection)
    {
        _connection = connection;
        _checkpoint = connection.CreateCommand();
        _checkpoint.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
    }

    public static SqliteCheckpointer Open(Database database) => new(SqliteLane.OpenUnpooled(database, ""));

    /// <summary>Copies what it can without waiting for the writer or readers; another checkpoint running at the same time makes it a no-op.</summary>
    public void Checkpoint() => _checkpoint.ExecuteNonQuery();

    public void Dispose()
    {
        _checkpoint.Dispose();
        _connection.Dispose();
    }
}

/// <summary>
/// A handle of SQLite's WAL file, kept only to flush it. The file stays the same while the lane's
/// connection is open: SQLite deletes it only when its last connection closes, after a checkpoint.
/// </summary>
internal sealed class WalFile : IDisposable
{
    private readonly SafeFileHandle _handle;

    private WalFile(SafeFileHandle handle) => _handle = handle;

    public static WalFile Open(string path)
        => new(File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete));

    /// <summary>fsync: everything written to the WAL so far is on disk. Returns the error instead of throwing.</summary>
    public Exception? TryFlush()
    {
        try
        {
            RandomAccess.FlushToDisk(_handle);
            return null;
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or UnauthorizedAccessException)
        {
            return e;
        }
    }

    public void Dispose() => _handle.Dispose();
}
