using System.Diagnostics;
using System.Globalization;
using Dapper;
using Engine.Benchmarks.Harness;
using Engine.Persistence;
using Engine.Persistence.Dashboard;

namespace Engine.Benchmarks.History;

/// <summary>
/// <c>history</c>: fills a store with a month of a busy tenant (<see cref="HistoryGenerator"/>) for <c>dashboard</c> to
/// read: the store is emptied and migrated first, the tables are filled in bulk (SQLite: prepared INSERTs in transactions
/// of 50,000 rows; PostgreSQL: binary COPY), then the dashboard's real roll-up (<see cref="DashboardRollups"/>) takes every
/// completed conversation and visit as it would have as they completed, and is timed. PostgreSQL is analyzed before the
/// roll-up and vacuumed and analyzed after it, as its autovacuum would have done over the month.
/// </summary>
internal sealed class HistoryCommand : IHarnessCommand
{
    public string Summary => "fills a store with a month of a busy tenant (conversations, messages, visits, friends) and rolls it up";

    public IReadOnlyList<HarnessOption> Options { get; } =
    [
        new("conversations", OptionKind.Integer, "conversations over the month", "1000000"),
        new("messages", OptionKind.Integer, "messages in all (about ten per conversation)", "10000000"),
        new("days", OptionKind.Integer, "days of history before now", "30"),
        new("seed", OptionKind.Integer, "the generator's seed", "2026", AllowZero: true),
        HistoryDatabase.StoreOption,
        HistoryDatabase.DataOption,
        HarnessOption.Json,
    ];

    public async Task<int> RunAsync(ParsedOptions options, CancellationToken cancellationToken)
    {
        var store = HistoryDatabase.Open(options);
        var shape = new HistoryShape(options.GetInt("conversations"), options.GetInt("messages"), options.GetInt("days"), DateTimeOffset.UtcNow, options.GetInt("seed"));
        Console.WriteLine($"history: emptying and migrating the {store.Name} store at {store.Where}");
        await store.ResetAsync(cancellationToken).ConfigureAwait(false);

        var generator = new HistoryGenerator(shape);
        await generator.WriteSetupAsync(store.Database, cancellationToken).ConfigureAwait(false);
        Console.WriteLine($"history: {shape.Conversations:N0} conversations and {shape.Messages:N0} messages over the {shape.Days} days before {shape.Now:u}");

        var fill = Stopwatch.StartNew();
        await using (var sink = await BulkSink.OpenAsync(store.Database, HistoryTables.All, cancellationToken).ConfigureAwait(false))
        {
            generator.Generate(sink, done => Console.WriteLine($"  {done,12:N0} conversations written ({fill.Elapsed.TotalSeconds:F0} s)"), cancellationToken);
            await sink.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }
        var fillSeconds = fill.Elapsed.TotalSeconds;
        var rows = await CountAsync(store.Database, cancellationToken).ConfigureAwait(false);
        var inserted = rows.Values.Sum();
        Console.WriteLine($"history: {inserted:N0} rows in {fillSeconds:F1} s; rolling up");

        // PostgreSQL plans by its statistics, which autovacuum would have kept over the month: the tables just filled get
        // theirs before the roll-up reads them, and everything is vacuumed (visibility maps) and analyzed after it.
        var analyzeSeconds = await PostgresMaintenanceAsync(store.Database, "ANALYZE", cancellationToken).ConfigureAwait(false);
        var rollup = Stopwatch.StartNew();
        var rolled = await new DashboardRollups(store.Database, TimeProvider.System).RollUpAllAsync(cancellationToken).ConfigureAwait(false);
        var rollupSeconds = rollup.Elapsed.TotalSeconds;
        Console.WriteLine($"history: rolled up {rolled:N0} conversations, visits and lapsed silences in {rollupSeconds:F1} s");
        var vacuumSeconds = await PostgresMaintenanceAsync(store.Database, "VACUUM (ANALYZE)", cancellationToken).ConfigureAwait(false);

        var result = new HistoryResult(
            store.Name, store.Where, shape.Days, shape.Seed, rows, inserted, Math.Round(fillSeconds, 1), Math.Round(inserted / fillSeconds),
            analyzeSeconds, rolled, Math.Round(rollupSeconds, 1), Math.Round(rows["conversations"] / rollupSeconds), vacuumSeconds,
            await store.SizeMbAsync(cancellationToken).ConfigureAwait(false));
        await HarnessOutput.WriteAsync("history", result, options.GetText("json"), cancellationToken).ConfigureAwait(false);
        return 0;
    }

    /// <summary>Runs <paramref name="sql"/> (ANALYZE, VACUUM) on PostgreSQL and answers how long it took in seconds; null on SQLite.</summary>
    private static async Task<double?> PostgresMaintenanceAsync(Database database, string sql, CancellationToken cancellationToken)
    {
        if (database.Dialect.Kind != StoreKind.Postgres) return null;
        var clock = Stopwatch.StartNew();
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        // Text said so: Dapper takes a command of one word (ANALYZE) for a stored procedure's name.
        await connection.ExecuteAsync(new CommandDefinition(sql, commandTimeout: 0, commandType: System.Data.CommandType.Text, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return Math.Round(clock.Elapsed.TotalSeconds, 1);
    }

    /// <summary>The rows of the history's tables, by table.</summary>
    private static async Task<SortedDictionary<string, long>> CountAsync(Database database, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var table in new[] { "users", "skill_groups", "marketing_accounts", "channels", "conversations", "messages", "visits", "marketing_friends" })
        {
            counts[table] = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                string.Create(CultureInfo.InvariantCulture, $"SELECT COUNT(*) FROM {table}"), commandTimeout: 0, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }
        return counts;
    }
}

internal sealed record HistoryResult(
    string Store, string Where, int Days, int Seed, IReadOnlyDictionary<string, long> Rows, long RowsInserted, double FillSeconds, double FillRowsPerSecond,
    double? AnalyzeSeconds, int RolledUp, double RollupSeconds, double RollupConversationsPerSecond, double? VacuumAnalyzeSeconds, double DatabaseMb);
