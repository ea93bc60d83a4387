using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Engine.Persistence;

/// <summary>One writer of the group commit, on a connection of its own.</summary>
internal abstract class CommitLane : IAsyncDisposable
{
    /// <summary>Runs the batch in one transaction and commits it (durably), setting each write's row count.</summary>
    public abstract ValueTask CommitAsync(List<PendingWrite> batch, CancellationToken cancellationToken);

    public abstract ValueTask DisposeAsync();
}

/// <summary>
/// PostgreSQL: the whole transaction in one round trip: BEGIN, every statement of the batch, COMMIT. A
/// failed statement makes the server skip the rest, COMMIT included; the group commit then drops this
/// lane's connection, and the pool rolls the aborted transaction back before the connection serves again.
/// </summary>
internal sealed class PostgresLane(DbConnection connection) : CommitLane
{
    public override async ValueTask CommitAsync(List<PendingWrite> batch, CancellationToken cancellationToken)
    {
        await using var dbBatch = connection.CreateBatch();
        Add(dbBatch, "BEGIN");
        foreach (var write in batch)
        {
            var command = Add(dbBatch, write.Sql.Text);
            foreach (var (name, value) in write.Sql.Parameters)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = name;
                parameter.Value = value ?? DBNull.Value;
                command.Parameters.Add(parameter);
            }
        }
        Add(dbBatch, "COMMIT");
        await dbBatch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < batch.Count; i++) batch[i].RowsAffected = dbBatch.BatchCommands[i + 1].RecordsAffected;
    }

    private static DbBatchCommand Add(DbBatch batch, string text)
    {
        var command = batch.CreateBatchCommand();
        command.CommandText = text;
        batch.BatchCommands.Add(command);
        return command;
    }

    public override ValueTask DisposeAsync() => connection.DisposeAsync();
}

/// <summary>SQLite (in process, no round trips): statements prepared once for the life of the writer's connection.</summary>
internal sealed class SqliteLane : CommitLane
{
    private readonly SqliteConnection _connection;
    private readonly SqliteStatements _statements;

    private SqliteLane(SqliteConnection connection)
    {
        _connection = connection;
        _statements = new SqliteStatements(connection);
    }

    public static async Task<SqliteLane> OpenAsync(Database database, CancellationToken cancellationToken)
    {
        var connection = (SqliteConnection)await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var command = connection.CreateCommand();
            // The writer keeps more pages in memory than a reader: the indexes it updates are spread over the file.
            command.CommandText = "PRAGMA cache_size=-65536";
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return new SqliteLane(connection);
        }
        catch (SqliteException)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public override ValueTask CommitAsync(List<PendingWrite> batch, CancellationToken cancellationToken)
    {
        _statements.Begin();
        try
        {
            foreach (var write in batch) write.RowsAffected = _statements.Run(write.Sql);
            _statements.Commit();
        }
        catch (Exception e) when (e is SqliteException or InvalidOperationException)
        {
            _statements.Rollback();
            throw;
        }
        return default;
    }

    public override ValueTask DisposeAsync()
    {
        _statements.Dispose();
        return _connection.DisposeAsync();
    }
}
