using System.Globalization;
using Dapper;

namespace Engine.Persistence;

/// <summary>
/// Applies the numbered scripts under <c>Migrations/</c> (embedded) that have not run yet, each in its own
/// transaction, and records them in <c>schema_migrations</c>: running it twice changes nothing.
/// </summary>
/// <remarks>
/// A script is named <c>NNNN_what.sql</c> and serves both stores. One named <c>NNNN_what.postgres.sql</c> (or
/// <c>.sqlite.sql</c>) is for that store only: on the other store it is recorded without running, so every store
/// records the same versions, numbering stays one sequence, and a store never runs it later. The Orleans cluster
/// tables (0006) are such a script: a cluster keeps its membership and reminders in PostgreSQL only. One version
/// may also come as a pair, <c>.postgres.sql</c> and <c>.sqlite.sql</c>, where the stores need different SQL for
/// the same change (0008: SQLite changes a primary key by rebuilding the table).
/// </remarks>
public static class Migrator
{
    /// <summary>
    /// Applies what has not run yet, up to version <paramref name="through"/> when given (tests of a migration
    /// over older rows), and returns the versions this run recorded (run or, for another store, skipped).
    /// </summary>
    public static async Task<IReadOnlyList<int>> MigrateAsync(Database database, CancellationToken cancellationToken = default, int? through = null)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        var applied = new List<int>();
        // A version may come as one script for both stores or as one script per store (NNNN_what.postgres.sql
        // beside NNNN_what.sqlite.sql): the one for this store runs, and the version is recorded either way.
        foreach (var version in Scripts().Where(s => s.Version <= (through ?? int.MaxValue)).GroupBy(s => s.Version))
        {
            var script = version.FirstOrDefault(s => s.RunsOn(database.Dialect.Kind)) ?? version.First();
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await connection.ExecuteAsync(new CommandDefinition(database.Dialect.MigrationLockSql, transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            var done = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                "SELECT COUNT(*) FROM schema_migrations WHERE version = @version", new { version = script.Version }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            if (done > 0) continue;
            if (script.RunsOn(database.Dialect.Kind))
            {
                await connection.ExecuteAsync(new CommandDefinition(database.Dialect.Prepare(script.Sql), transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            }
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (@version, @name, @at)",
                new { version = script.Version, name = script.Name, at = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            applied.Add(script.Version);
        }
        return applied;
    }

    /// <summary>The embedded scripts in version order.</summary>
    public static IEnumerable<MigrationScript> Scripts()
    {
        var assembly = typeof(Migrator).Assembly;
        const string prefix = "Engine.Persistence.Migrations.";
        foreach (var resource in assembly.GetManifestResourceNames().Where(r => r.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            var name = resource[prefix.Length..^".sql".Length];
            var version = int.Parse(name.AsSpan(0, name.IndexOf('_')), CultureInfo.InvariantCulture);
            using var reader = new StreamReader(assembly.GetManifestResourceStream(resource)!);
            yield return new MigrationScript(version, name, reader.ReadToEnd(), OnlyFor(name));
        }
    }

    /// <summary>The store a script's name reserves it for (<c>NNNN_what.postgres</c>), or null for both.</summary>
    private static StoreKind? OnlyFor(string name)
    {
        var dot = name.LastIndexOf('.');
        if (dot < 0) return null;
        var store = name[(dot + 1)..];
        return Enum.TryParse<StoreKind>(store, ignoreCase: true, out var kind) && Enum.IsDefined(kind)
            ? kind
            : throw new InvalidOperationException($"Migration {name}: '.{store}' names no store (postgres or sqlite).");
    }
}

/// <summary>One embedded migration: its version, its name (the file name without <c>.sql</c>), its SQL, and the one store it is for (null: both).</summary>
public sealed record MigrationScript(int Version, string Name, string Sql, StoreKind? Only)
{
    public bool RunsOn(StoreKind kind) => Only is null || Only == kind;
}
