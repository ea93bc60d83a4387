using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Engine.Persistence;

/// <summary>
/// Point reads on the hot path of SQLite (a grain's state when it activates, a conversation's last
/// messages): a few reader connections kept open, each with its statements prepared once. Opening a
/// pooled connection, configuring it and preparing the text anew cost several times the read itself.
/// In WAL mode readers never wait for the group commit's writer.
/// </summary>
internal sealed class SqliteReads(Database database) : IAsyncDisposable
{
    private readonly ConcurrentBag<Reader> _idle = [];
    private readonly int _kept = Environment.ProcessorCount * 2;
    private bool _disposed;

    public async ValueTask<T> QueryAsync<T>(SqlWrite query, Func<SqliteStatements, sqlite3_stmt, T> read, CancellationToken cancellationToken)
    {
        if (!_idle.TryTake(out var reader))
        {
            var connection = (SqliteConnection)await database.OpenAsync(cancellationToken).ConfigureAwait(false);
            reader = new Reader(connection, new SqliteStatements(connection));
        }
        try
        {
            return reader.Statements.Query(query, read);
        }
        finally
        {
            if (_disposed || _idle.Count >= _kept) await reader.DisposeAsync().ConfigureAwait(false);
            else _idle.Add(reader);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        while (_idle.TryTake(out var reader)) await reader.DisposeAsync().ConfigureAwait(false);
    }

    private sealed record Reader(SqliteConnection Connection, SqliteStatements Statements) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            Statements.Dispose();
            return Connection.DisposeAsync();
        }
    }
}
