using System.Data.Common;
using Engine.Persistence;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;

namespace Engine.Benchmarks.History;

/// <summary>A column's type as the store declares it: PostgreSQL's binary COPY needs the exact one.</summary>
internal enum BulkType
{
    Text,
    SmallInt,
    Integer,
    BigInt,
}

internal sealed record BulkColumn(string Name, BulkType Type);

/// <summary>A table filled in bulk: its name and the columns each row gives, in order.</summary>
internal sealed record BulkTable(string Name, IReadOnlyList<BulkColumn> Columns)
{
    public string ColumnList => string.Join(", ", Columns.Select(c => c.Name));
}

/// <summary>
/// One table's rows on their way into the store: a row is its columns' values in the table's order, then <see cref="EndRow"/>.
/// </summary>
internal abstract class BulkWriter(BulkTable table)
{
    private int _column;

    public BulkTable Table { get; } = table;

    public long Rows { get; private set; }

    public void Text(string? value) => PutText(Next(BulkType.Text), value);

    public void SmallInt(short? value) => PutSmallInt(Next(BulkType.SmallInt), value);

    public void Integer(int? value) => PutInteger(Next(BulkType.Integer), value);

    public void BigInt(long? value) => PutBigInt(Next(BulkType.BigInt), value);

    public void EndRow()
    {
        if (_column != Table.Columns.Count) throw new InvalidOperationException($"{Table.Name}: a row of {_column} values, not {Table.Columns.Count}");
        _column = 0;
        Rows++;
        Flush();
    }

    private int Next(BulkType type)
    {
        if (_column >= Table.Columns.Count || Table.Columns[_column].Type != type)
            throw new InvalidOperationException($"{Table.Name}: value {_column} is not a {type}");
        return _column++;
    }

    protected abstract void PutText(int column, string? value);

    protected abstract void PutSmallInt(int column, short? value);

    protected abstract void PutInteger(int column, int? value);

    protected abstract void PutBigInt(int column, long? value);

    /// <summary>The current row is complete.</summary>
    protected abstract void Flush();
}

/// <summary>
/// Writes rows fast: SQLite through one prepared INSERT per table, committed every <see cref="SqliteRowsPerTransaction"/>
/// rows; PostgreSQL through a binary COPY per table, each on its own connection, completed at the end.
/// </summary>
internal abstract class BulkSink : IAsyncDisposable
{
    public const int SqliteRowsPerTransaction = 50_000;

    public abstract BulkWriter Writer(BulkTable table);

    /// <summary>Makes every row written so far durable.</summary>
    public abstract Task CompleteAsync(CancellationToken cancellationToken);

    public abstract ValueTask DisposeAsync();

    public static async Task<BulkSink> OpenAsync(Database database, IReadOnlyList<BulkTable> tables, CancellationToken cancellationToken)
    {
        if (database.Dialect.Kind == StoreKind.Sqlite)
        {
            var connection = (SqliteConnection)await database.OpenAsync(cancellationToken).ConfigureAwait(false);
            return new SqliteSink(connection, tables);
        }
        var importers = new List<(NpgsqlConnection, BulkTable)>();
        try
        {
            foreach (var table in tables) importers.Add(((NpgsqlConnection)await database.OpenAsync(cancellationToken).ConfigureAwait(false), table));
        }
        catch (DbException)
        {
            foreach (var (connection, _) in importers) await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return await PostgresSink.StartAsync(importers, cancellationToken).ConfigureAwait(false);
    }

    private sealed class SqliteSink : BulkSink
    {
        private readonly SqliteConnection _connection;
        private readonly Dictionary<BulkTable, SqliteWriter> _writers = [];
        private SqliteTransaction _transaction;
        private int _pending;

        public SqliteSink(SqliteConnection connection, IReadOnlyList<BulkTable> tables)
        {
            _connection = connection;
            // A fill, not the engine's writes: no fsync per commit, and a cache that holds the indexes being appended to.
            using (var pragma = connection.CreateCommand())
            {
                pragma.CommandText = "PRAGMA synchronous=OFF; PRAGMA cache_size=-524288;";
                pragma.ExecuteNonQuery();
            }
            _transaction = connection.BeginTransaction();
            foreach (var table in tables) _writers[table] = new SqliteWriter(this, table);
        }

        public override BulkWriter Writer(BulkTable table) => _writers[table];

        private void Written()
        {
            if (++_pending >= SqliteRowsPerTransaction) Commit();
        }

        /// <summary>Commits what is pending and goes on in a new transaction, the prepared commands with it.</summary>
        private void Commit()
        {
            _transaction.Commit();
            _transaction.Dispose();
            _transaction = _connection.BeginTransaction();
            foreach (var writer in _writers.Values) writer.Command.Transaction = _transaction;
            _pending = 0;
        }

        public override Task CompleteAsync(CancellationToken cancellationToken)
        {
            Commit();
            return Task.CompletedTask;
        }

        public override async ValueTask DisposeAsync()
        {
            foreach (var writer in _writers.Values) await writer.Command.DisposeAsync().ConfigureAwait(false);
            await _transaction.DisposeAsync().ConfigureAwait(false);
            // The connection goes back to the pool: the engine's settings again for whoever takes it next (the roll-up).
            await using (var pragma = _connection.CreateCommand())
            {
                pragma.CommandText = "PRAGMA synchronous=FULL; PRAGMA cache_size=-2000;";
                await pragma.ExecuteNonQueryAsync().ConfigureAwait(false);
            }
            await _connection.DisposeAsync().ConfigureAwait(false);
        }

        private sealed class SqliteWriter : BulkWriter
        {
            private readonly SqliteSink _sink;
            private readonly SqliteParameter[] _parameters;

            public SqliteWriter(SqliteSink sink, BulkTable table)
                : base(table)
            {
                _sink = sink;
                Command = sink._connection.CreateCommand();
                Command.Transaction = sink._transaction;
                Command.CommandText = $"INSERT INTO {table.Name} ({table.ColumnList}) VALUES ({string.Join(", ", table.Columns.Select((_, i) => $"$p{i}"))})";
                _parameters = [.. table.Columns.Select((c, i) => Command.Parameters.Add(new SqliteParameter($"$p{i}", c.Type == BulkType.Text ? SqliteType.Text : SqliteType.Integer)))];
                Command.Prepare();
            }

            public SqliteCommand Command { get; }

            protected override void PutText(int column, string? value) => _parameters[column].Value = value is null ? DBNull.Value : value;

            protected override void PutSmallInt(int column, short? value) => _parameters[column].Value = value is { } v ? v : DBNull.Value;

            protected override void PutInteger(int column, int? value) => _parameters[column].Value = value is { } v ? v : DBNull.Value;

            protected override void PutBigInt(int column, long? value) => _parameters[column].Value = value is { } v ? v : DBNull.Value;

            protected override void Flush()
            {
                Command.ExecuteNonQuery();
                _sink.Written();
            }
        }
    }

    private sealed class PostgresSink : BulkSink
    {
        private readonly Dictionary<BulkTable, PostgresWriter> _writers = [];
        private readonly List<NpgsqlConnection> _connections = [];

        public static async Task<PostgresSink> StartAsync(IReadOnlyList<(NpgsqlConnection Connection, BulkTable Table)> importers, CancellationToken cancellationToken)
        {
            var sink = new PostgresSink();
            foreach (var (connection, table) in importers)
            {
                sink._connections.Add(connection);
                var importer = await connection.BeginBinaryImportAsync($"COPY {table.Name} ({table.ColumnList}) FROM STDIN (FORMAT BINARY)", cancellationToken).ConfigureAwait(false);
                sink._writers[table] = new PostgresWriter(importer, table);
            }
            return sink;
        }

        public override BulkWriter Writer(BulkTable table) => _writers[table];

        public override async Task CompleteAsync(CancellationToken cancellationToken)
        {
            foreach (var writer in _writers.Values) await writer.Importer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }

        public override async ValueTask DisposeAsync()
        {
            // An importer disposed before it completed cancels its COPY: a run stopped half way leaves no rows of it.
            foreach (var writer in _writers.Values) await writer.Importer.DisposeAsync().ConfigureAwait(false);
            foreach (var connection in _connections) await connection.DisposeAsync().ConfigureAwait(false);
        }

        private sealed class PostgresWriter(NpgsqlBinaryImporter importer, BulkTable table) : BulkWriter(table)
        {
            public NpgsqlBinaryImporter Importer { get; } = importer;

            protected override void PutText(int column, string? value)
            {
                StartAt(column);
                if (value is null) Importer.WriteNull();
                else Importer.Write(value, NpgsqlDbType.Text);
            }

            protected override void PutSmallInt(int column, short? value) => Put(column, value, NpgsqlDbType.Smallint);

            protected override void PutInteger(int column, int? value) => Put(column, value, NpgsqlDbType.Integer);

            protected override void PutBigInt(int column, long? value) => Put(column, value, NpgsqlDbType.Bigint);

            protected override void Flush()
            {
            }

            private void Put<T>(int column, T? value, NpgsqlDbType type)
                where T : struct
            {
                StartAt(column);
                if (value is { } v) Importer.Write(v, type);
                else Importer.WriteNull();
            }

            /// <summary>A row's first value starts it.</summary>
            private void StartAt(int column)
            {
                if (column == 0) Importer.StartRow();
            }
        }
    }
}
