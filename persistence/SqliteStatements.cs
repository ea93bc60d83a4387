using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Engine.Persistence;

/// <summary>
/// The SQLite writer's statements, run through SQLitePCLRaw on the connection's handle: each statement text is
/// prepared once for the life of the connection and its parameters are bound by position. The command objects
/// of Microsoft.Data.Sqlite cost more per execution (a reader, parameter objects, a name lookup per parameter)
/// than the single-row writes they carry. Text is encoded into one reused buffer and bound as a span, blobs are
/// bound from their own bytes; SQLite copies both while binding (SQLITE_TRANSIENT), so nothing it keeps points
/// into managed memory.
/// </summary>
internal sealed class SqliteStatements(SqliteConnection connection) : IDisposable
{
    private readonly sqlite3 _db = connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
    private readonly Dictionary<string, Prepared> _prepared = new(StringComparer.Ordinal);

    /// <summary>The same statements by reference: their texts are constants, so this finds them without hashing a long text.</summary>
    private readonly Dictionary<string, Prepared> _byReference = new(ReferenceEqualityComparer.Instance);

    /// <summary>Each text is encoded here instead of into a new array; SQLite has copied it out by the time the next one is.</summary>
    private byte[] _utf8 = new byte[4096];

    public void Begin() => Exec("BEGIN IMMEDIATE");

    public void Commit() => Exec("COMMIT");

    /// <summary>Undoes an open transaction after a failed statement; nothing when none is open.</summary>
    public void Rollback()
    {
        if (raw.sqlite3_get_autocommit(_db) == 0) Exec("ROLLBACK");
    }

    /// <summary>Runs one write; returns the rows it changed.</summary>
    public int Run(SqlWrite write)
    {
        var statement = Bound(write);
        var rc = raw.sqlite3_step(statement);
        raw.sqlite3_reset(statement);
        raw.sqlite3_clear_bindings(statement);
        if (rc != raw.SQLITE_DONE && rc != raw.SQLITE_ROW) Check(rc);
        return raw.sqlite3_changes(_db);
    }

    /// <summary>Runs one query; <paramref name="read"/> steps through its rows with <see cref="Next"/>.</summary>
    public T Query<T>(SqlWrite query, Func<SqliteStatements, sqlite3_stmt, T> read)
    {
        var statement = Bound(query);
        try
        {
            return read(this, statement);
        }
        finally
        {
            raw.sqlite3_reset(statement);
            raw.sqlite3_clear_bindings(statement);
        }
    }

    /// <summary>Steps to the next row of a query; false after the last.</summary>
    public bool Next(sqlite3_stmt statement)
    {
        var rc = raw.sqlite3_step(statement);
        if (rc == raw.SQLITE_ROW) return true;
        if (rc != raw.SQLITE_DONE) Check(rc);
        return false;
    }

    private sqlite3_stmt Bound(SqlWrite sql)
    {
        var prepared = Prepare(sql.Text);
        var parameters = sql.Parameters;
        try
        {
            for (var i = 0; i < parameters.Length; i++)
            {
                var (name, value) = parameters[i];
                var index = prepared.IndexOf(i, name);
                // A parameter the text does not use is left out, as Microsoft.Data.Sqlite does.
                if (index > 0) Check(Bind(prepared.Statement, index, value));
            }
        }
        catch (Exception e) when (e is SqliteException or InvalidOperationException)
        {
            // A statement that failed to bind is not run, and only a run clears it: the next one finds nothing bound.
            raw.sqlite3_clear_bindings(prepared.Statement);
            throw;
        }
        return prepared.Statement;
    }

    private int Bind(sqlite3_stmt statement, int index, object? value) => value switch
    {
        null => raw.sqlite3_bind_null(statement, index),
        string text => BindText(statement, index, text),
        long number => raw.sqlite3_bind_int64(statement, index, number),
        int number => raw.sqlite3_bind_int64(statement, index, number),
        bool flag => raw.sqlite3_bind_int64(statement, index, flag ? 1 : 0),
        byte[] bytes => raw.sqlite3_bind_blob(statement, index, bytes),
        ReadOnlyMemory<byte> bytes => raw.sqlite3_bind_blob(statement, index, bytes.Span),
        double number => raw.sqlite3_bind_double(statement, index, number),
        _ => throw new InvalidOperationException($"A group-commit parameter of type {value.GetType().Name} is not supported."),
    };

    private int BindText(sqlite3_stmt statement, int index, string text)
    {
        var needed = Encoding.UTF8.GetMaxByteCount(text.Length);
        if (needed > _utf8.Length) _utf8 = new byte[Math.Max(needed, _utf8.Length * 2)];
        var length = Encoding.UTF8.GetBytes(text, _utf8);
        return raw.sqlite3_bind_text(statement, index, _utf8.AsSpan(0, length));
    }

    private void Exec(string sql)
    {
        var statement = Prepare(sql).Statement;
        var rc = raw.sqlite3_step(statement);
        raw.sqlite3_reset(statement);
        if (rc != raw.SQLITE_DONE) Check(rc);
    }

    private Prepared Prepare(string sql)
    {
        if (_byReference.TryGetValue(sql, out var prepared)) return prepared;
        if (!_prepared.TryGetValue(sql, out prepared))
        {
            Check(raw.sqlite3_prepare_v2(_db, sql, out var statement));
            prepared = new Prepared(statement);
            _prepared[sql] = prepared;
        }
        // Only an interned text (a constant) is kept by reference: a text built anew for each write would add one every time.
        if (ReferenceEquals(string.IsInterned(sql), sql)) _byReference[sql] = prepared;
        return prepared;
    }

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK) SqliteException.ThrowExceptionForRC(rc, _db);
    }

    public void Dispose()
    {
        foreach (var prepared in _prepared.Values) prepared.Statement.Dispose();
        _prepared.Clear();
        _byReference.Clear();
    }

    /// <summary>A prepared statement and the index of each parameter, learned by position: a statement text is always built with its parameters in the same order.</summary>
    private sealed class Prepared(sqlite3_stmt statement)
    {
        private string[] _names = [];
        private int[] _indexes = [];

        public sqlite3_stmt Statement { get; } = statement;

        public int IndexOf(int position, string name)
        {
            if (position < _names.Length && ReferenceEquals(_names[position], name)) return _indexes[position];
            var index = raw.sqlite3_bind_parameter_index(Statement, name);
            if (position >= _names.Length)
            {
                Array.Resize(ref _names, position + 1);
                Array.Resize(ref _indexes, position + 1);
            }
            _names[position] = name;
            _indexes[position] = index;
            return index;
        }
    }
}
