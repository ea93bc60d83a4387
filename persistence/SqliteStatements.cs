using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Engine.Persistence;

/// <summary>
/// The SQLite writer's statements, run on the connection's native handle: each statement text is
/// prepared once for the life of the connection and its parameters are bound by position. The
/// command objects of Microsoft.Data.Sqlite cost more per execution (a reader, parameter objects,
/// a name lookup per parameter) than the single-row writes they carry. Values are bound from one
/// pinned buffer of this object without a copy (<see cref="SqliteNative"/>): text encoded into it,
/// blobs copied into it; it stays unchanged until the statement is reset and its bindings cleared.
/// </summary>
internal sealed class SqliteStatements(SqliteConnection connection) : IDisposable
{
    private readonly sqlite3 _db = connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
    private readonly Dictionary<string, Prepared> _prepared = new(StringComparer.Ordinal);

    /// <summary>The same statements by reference: their texts are constants, so this finds them without hashing a long text.</summary>
    private readonly Dictionary<string, Prepared> _byReference = new(ReferenceEqualityComparer.Instance);

    private byte[] _values = GC.AllocateUninitializedArray<byte>(4096, pinned: true);
    private nint _valuesAddress;

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
        var statement = Bound(write).Address;
        var rc = SqliteNative.Step(statement);
        SqliteNative.Reset(statement);
        SqliteNative.ClearBindings(statement);
        if (rc != raw.SQLITE_DONE && rc != raw.SQLITE_ROW) Check(rc);
        return SqliteNative.Changes(_db.DangerousGetHandle());
    }

    /// <summary>Runs one query; <paramref name="read"/> steps through its rows with <see cref="Next"/>.</summary>
    public T Query<T>(SqlWrite query, Func<SqliteStatements, sqlite3_stmt, T> read)
    {
        var prepared = Bound(query);
        try
        {
            return read(this, prepared.Statement);
        }
        finally
        {
            SqliteNative.Reset(prepared.Address);
            SqliteNative.ClearBindings(prepared.Address);
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

    private Prepared Bound(SqlWrite sql)
    {
        var prepared = Prepare(sql.Text);
        var parameters = sql.Parameters;
        Reserve(parameters);
        var used = 0;
        try
        {
            for (var i = 0; i < parameters.Length; i++)
            {
                var (name, value) = parameters[i];
                var index = prepared.IndexOf(i, name);
                // A parameter the text does not use is left out, as Microsoft.Data.Sqlite does.
                if (index > 0) Check(Bind(prepared.Address, index, value, ref used));
            }
        }
        catch (Exception e) when (e is SqliteException or InvalidOperationException)
        {
            // Nothing stays bound to the buffer, which the next statement reuses (or replaces).
            SqliteNative.ClearBindings(prepared.Address);
            throw;
        }
        return prepared;
    }

    /// <summary>Makes the value buffer large enough for every text and blob of <paramref name="parameters"/>, before any is bound in it.</summary>
    private void Reserve((string Name, object? Value)[] parameters)
    {
        var needed = 0;
        foreach (var (_, value) in parameters)
        {
            needed += value switch
            {
                string text => Encoding.UTF8.GetMaxByteCount(text.Length),
                byte[] bytes => bytes.Length,
                ReadOnlyMemory<byte> bytes => bytes.Length,
                _ => 0,
            };
        }
        if (needed <= _values.Length && _valuesAddress != 0) return;
        if (needed > _values.Length) _values = GC.AllocateUninitializedArray<byte>(Math.Max(needed, _values.Length * 2), pinned: true);
        _valuesAddress = Marshal.UnsafeAddrOfPinnedArrayElement(_values, 0);
    }

    private int Bind(nint statement, int index, object? value, ref int used)
    {
        switch (value)
        {
            case null:
                return SqliteNative.BindNull(statement, index);
            case string text:
            {
                var length = Encoding.UTF8.GetBytes(text, _values.AsSpan(used));
                var rc = SqliteNative.BindText(statement, index, _valuesAddress + used, length, SqliteNative.Static);
                used += length;
                return rc;
            }
            case long number:
                return SqliteNative.BindInt64(statement, index, number);
            case int number:
                return SqliteNative.BindInt64(statement, index, number);
            case bool flag:
                return SqliteNative.BindInt64(statement, index, flag ? 1 : 0);
            case byte[] bytes:
                return BindBlob(statement, index, bytes, ref used);
            case ReadOnlyMemory<byte> bytes:
                return BindBlob(statement, index, bytes.Span, ref used);
            case double number:
                return SqliteNative.BindDouble(statement, index, number);
            default:
                throw new InvalidOperationException($"A group-commit parameter of type {value.GetType().Name} is not supported.");
        }
    }

    private int BindBlob(nint statement, int index, ReadOnlySpan<byte> bytes, ref int used)
    {
        bytes.CopyTo(_values.AsSpan(used));
        var rc = SqliteNative.BindBlob(statement, index, _valuesAddress + used, bytes.Length, SqliteNative.Static);
        used += bytes.Length;
        return rc;
    }

    private void Exec(string sql)
    {
        var statement = Prepare(sql).Address;
        var rc = SqliteNative.Step(statement);
        SqliteNative.Reset(statement);
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

        /// <summary>The native statement, valid as long as <see cref="Statement"/> is not disposed.</summary>
        public nint Address { get; } = statement.DangerousGetHandle();

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
