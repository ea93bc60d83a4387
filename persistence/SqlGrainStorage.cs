using System.Globalization;
using Dapper;
using Engine.Conversations;
using Engine.Grains.Runtime;
using SQLitePCL;

namespace Engine.Persistence;

/// <summary>
/// Grain state in the <c>grain_state</c> table, except a conversation's, which is one row with its record in
/// <c>conversations</c> (<see cref="ConversationRows"/>). The ETag is a write counter: an update names the
/// ETag it read and changes nothing when the row moved on, which surfaces as <see cref="InconsistentStateException"/>.
/// Writes go through the group commit, reads straight to the database.
/// </summary>
public sealed class SqlGrainStorage(Database database, GroupCommit commit, TimeProvider time) : IGrainStorage, IStateAwareStorage, IStoredGrains
{
    private const string ReadSql = "SELECT etag AS Etag, payload AS Payload FROM grain_state WHERE grain_type = @Type AND tenant_id = @Tenant AND grain_key = @Key";

    public async ValueTask<StoredState?> ReadAsync(GrainId grain, CancellationToken cancellationToken)
    {
        var sql = ConversationRows.Holds(grain) ? ConversationRows.ReadSql : ReadSql;
        if (commit.Reads is { } reads)
        {
            return await reads.QueryAsync(new SqlWrite(sql, KeyOf(grain)), static (rows, statement) => rows.Next(statement)
                ? new StoredState(raw.sqlite3_column_blob(statement, 1).ToArray(), raw.sqlite3_column_int64(statement, 0).ToString(CultureInfo.InvariantCulture))
                : null, cancellationToken).ConfigureAwait(false);
        }
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<StateRow>(new CommandDefinition(sql, Key(grain), cancellationToken: cancellationToken)).ConfigureAwait(false);
        return row is null ? null : new StoredState(row.Payload, row.Etag.ToString(CultureInfo.InvariantCulture));
    }

    public async ValueTask<string> WriteAsync(GrainId grain, ReadOnlyMemory<byte> payload, string? etag, CancellationToken cancellationToken)
    {
        if (ConversationRows.Holds(grain)) throw new InvalidOperationException("A conversation's state is written with its record: through IStateAwareStorage.");
        var expected = Expected(etag);
        var written = await commit.RunAsync(new SqlWrite(
            etag is null
                ? "INSERT INTO grain_state (grain_type, tenant_id, grain_key, etag, payload, updated_at) VALUES (@Type, @Tenant, @Key, 1, @Payload, @Now) ON CONFLICT DO NOTHING"
                : "UPDATE grain_state SET etag = etag + 1, payload = @Payload, updated_at = @Now WHERE grain_type = @Type AND tenant_id = @Tenant AND grain_key = @Key AND etag = @Etag",
            [.. KeyOf(grain), ("@Payload", payload), ("@Now", time.GetUtcNow().ToUnixTimeMilliseconds()), ("@Etag", expected)])).ConfigureAwait(false);
        return await WrittenAsync(grain, etag, written, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<string> WriteAsync<TState>(GrainId grain, TState state, ReadOnlyMemory<byte> payload, string? etag, CancellationToken cancellationToken) where TState : class
    {
        if (state is not ConversationState conversation) return await WriteAsync(grain, payload, etag, cancellationToken).ConfigureAwait(false);
        var written = await ConversationRows.SaveAsync(commit, grain.Tenant, conversation, payload, etag is null ? null : Expected(etag), time.GetUtcNow()).ConfigureAwait(false);
        return await WrittenAsync(grain, etag, written, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask ClearAsync(GrainId grain, string? etag, CancellationToken cancellationToken)
    {
        if (etag is null) return;
        if (ConversationRows.Holds(grain)) throw new InvalidOperationException("A conversation's record is kept when its state goes: through IStateAwareStorage.");
        var deleted = await commit.RunAsync(new SqlWrite(
            "DELETE FROM grain_state WHERE grain_type = @Type AND tenant_id = @Tenant AND grain_key = @Key AND etag = @Etag",
            [.. KeyOf(grain), ("@Etag", Expected(etag))])).ConfigureAwait(false);
        await WrittenAsync(grain, etag, deleted, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask ClearAsync<TState>(GrainId grain, TState lastState, string? etag, CancellationToken cancellationToken) where TState : class
    {
        if (lastState is not ConversationState conversation)
        {
            await ClearAsync(grain, etag, cancellationToken).ConfigureAwait(false);
            return;
        }
        if (etag is null) return;
        var finished = await ConversationRows.FinishAsync(commit, grain.Tenant, conversation, Expected(etag), time.GetUtcNow()).ConfigureAwait(false);
        await WrittenAsync(grain, etag, finished, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<IReadOnlyList<GrainId>> ListAsync(string grainType, CancellationToken cancellationToken)
    {
        var conversations = grainType == ConversationRows.GrainType;
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<(string Tenant, string Key)>(new CommandDefinition(
            conversations ? ConversationRows.ListLiveSql : "SELECT tenant_id, grain_key FROM grain_state WHERE grain_type = @grainType",
            new { grainType }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(r => new GrainId(grainType, r.Tenant, r.Key))];
    }

    private static long Expected(string? etag) => etag is null ? 0 : long.Parse(etag, CultureInfo.InvariantCulture);

    /// <summary>The new ETag when exactly one row changed; otherwise the write lost to another and fails.</summary>
    private async ValueTask<string> WrittenAsync(GrainId grain, string? etag, int rows, CancellationToken cancellationToken)
    {
        if (rows != 1) throw new InconsistentStateException(grain, etag, (await ReadAsync(grain, cancellationToken).ConfigureAwait(false))?.Etag);
        return (Expected(etag) + 1).ToString(CultureInfo.InvariantCulture);
    }

    private static object Key(GrainId grain) => new { grain.Type, grain.Tenant, grain.Key };

    /// <summary>The key columns of a grain as group-commit parameters.</summary>
    internal static (string, object?)[] KeyOf(GrainId grain) => [("@Type", grain.Type), ("@Tenant", grain.Tenant), ("@Key", grain.Key)];

    private sealed record StateRow(long Etag, byte[] Payload);
}

/// <summary>Reminders in the <c>reminders</c> table, so that deadlines are re-armed after a restart.</summary>
public sealed class SqlReminderStore(Database database, GroupCommit commit) : IReminderStore
{
    public ValueTask UpsertAsync(ReminderEntry entry, CancellationToken cancellationToken)
    {
        return new ValueTask(commit.RunAsync(new SqlWrite(
            "INSERT INTO reminders (grain_type, tenant_id, grain_key, name, due_at) VALUES (@Type, @Tenant, @Key, @Name, @DueAt) "
            + "ON CONFLICT (grain_type, tenant_id, grain_key, name) DO UPDATE SET due_at = excluded.due_at",
            [.. SqlGrainStorage.KeyOf(entry.Grain), ("@Name", entry.Name), ("@DueAt", entry.DueAt.ToUnixTimeMilliseconds())])));
    }

    public ValueTask DeleteAsync(GrainId grain, string name, CancellationToken cancellationToken)
    {
        return new ValueTask(commit.RunAsync(new SqlWrite(
            "DELETE FROM reminders WHERE grain_type = @Type AND tenant_id = @Tenant AND grain_key = @Key AND name = @Name",
            [.. SqlGrainStorage.KeyOf(grain), ("@Name", name)])));
    }

    public async ValueTask<IReadOnlyList<ReminderEntry>> ReadAllAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<ReminderRow>(new CommandDefinition(
            "SELECT grain_type AS Type, tenant_id AS Tenant, grain_key AS GrainKey, name AS Name, due_at AS DueAt FROM reminders",
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(r => new ReminderEntry(new GrainId(r.Type, r.Tenant, r.GrainKey), r.Name, DateTimeOffset.FromUnixTimeMilliseconds(r.DueAt)))];
    }

    private sealed record ReminderRow(string Type, string Tenant, string GrainKey, string Name, long DueAt);
}
