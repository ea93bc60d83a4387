using System.Globalization;
using Dapper;
using Engine.Conversations;
using Engine.Grains.Storage;
using Engine.Persistence.Admin;
using Orleans.Storage;
using SQLitePCL;

namespace Engine.Persistence;

/// <summary>
/// Grain state in the <c>grain_state</c> table, except a conversation's, which is one row with its record in
/// <c>conversations</c> (<see cref="ConversationRows"/>). The ETag is a write counter: an update names the
/// ETag it read and changes nothing when the row moved on, which surfaces as <see cref="InconsistentStateException"/>.
/// Writes go through the group commit, reads straight to the database. The live conversations' rows are also
/// what agents' work and groups' queues are rebuilt from (<see cref="ILiveConversations"/>).
/// </summary>
public sealed class SqlGrainStorage(Database database, GroupCommit commit, TimeProvider time) : IStateStore, ILiveConversations
{
    private const string ReadSql = "SELECT etag AS Etag, payload AS Payload FROM grain_state WHERE grain_type = @Type AND tenant_id = @Tenant AND grain_key = @Key";

    public async ValueTask<StoredState?> ReadAsync(StateKey grain, CancellationToken cancellationToken)
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

    private async ValueTask<string> WriteAsync(StateKey grain, ReadOnlyMemory<byte> payload, string? etag, bool audited, CancellationToken cancellationToken)
    {
        var expected = Expected(etag);
        var written = await commit.RunAsync(new SqlWrite(
            etag is null
                ? "INSERT INTO grain_state (grain_type, tenant_id, grain_key, etag, payload, updated_at) VALUES (@Type, @Tenant, @Key, 1, @Payload, @Now) ON CONFLICT DO NOTHING"
                : "UPDATE grain_state SET etag = etag + 1, payload = @Payload, updated_at = @Now WHERE grain_type = @Type AND tenant_id = @Tenant AND grain_key = @Key AND etag = @Etag",
            [.. KeyOf(grain), ("@Payload", payload), ("@Now", time.GetUtcNow().ToUnixTimeMilliseconds()), ("@Etag", expected)])
        {
            Then = audited ? Audit.AfterStateWrite(grain, payload) : null,
        }).ConfigureAwait(false);
        return await WrittenAsync(grain, etag, written, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<string> WriteAsync<TState>(StateKey grain, TState state, ReadOnlyMemory<byte> payload, string? etag, CancellationToken cancellationToken)
    {
        if (state is not ConversationState conversation) return await WriteAsync(grain, payload, etag, state is IAuditedState, cancellationToken).ConfigureAwait(false);
        var written = await ConversationRows.SaveAsync(commit, grain.Tenant, conversation, payload, etag is null ? null : Expected(etag), time.GetUtcNow()).ConfigureAwait(false);
        return await WrittenAsync(grain, etag, written, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask ClearAsync(StateKey grain, string? etag, CancellationToken cancellationToken)
    {
        if (etag is null) return;
        var deleted = await commit.RunAsync(new SqlWrite(
            "DELETE FROM grain_state WHERE grain_type = @Type AND tenant_id = @Tenant AND grain_key = @Key AND etag = @Etag",
            [.. KeyOf(grain), ("@Etag", Expected(etag))])).ConfigureAwait(false);
        await WrittenAsync(grain, etag, deleted, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask ClearAsync<TState>(StateKey grain, TState lastState, string? etag, CancellationToken cancellationToken)
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

    public async ValueTask<IReadOnlyList<StateKey>> ListAsync(string grainType, CancellationToken cancellationToken)
    {
        var conversations = grainType == ConversationRows.GrainType;
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<(string Tenant, string Key)>(new CommandDefinition(
            conversations ? ConversationRows.ListLiveSql : "SELECT tenant_id, grain_key FROM grain_state WHERE grain_type = @grainType",
            new { grainType }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(r => new StateKey(grainType, r.Tenant, r.Key))];
    }

    public ValueTask<IReadOnlyList<ConversationState>> HeldByAsync(string tenant, string agentId, CancellationToken cancellationToken)
        => LiveAsync(ConversationRows.HeldBySql, new { tenant, agentId }, cancellationToken);

    public ValueTask<IReadOnlyList<ConversationState>> QueuedInAsync(string tenant, string groupId, CancellationToken cancellationToken)
        => LiveAsync(ConversationRows.QueuedInSql, new { tenant, groupId }, cancellationToken);

    private async ValueTask<IReadOnlyList<ConversationState>> LiveAsync(string sql, object parameters, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var states = await connection.QueryAsync<byte[]>(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. states.Select(state => System.Text.Json.JsonSerializer.Deserialize(state, EngineJsonContext.Default.ConversationState)!)];
    }

    private static long Expected(string? etag) => etag is null ? 0 : long.Parse(etag, CultureInfo.InvariantCulture);

    /// <summary>The new ETag when exactly one row changed; otherwise the write lost to another and fails.</summary>
    private async ValueTask<string> WrittenAsync(StateKey grain, string? etag, int rows, CancellationToken cancellationToken)
    {
        if (rows != 1)
        {
            var stored = (await ReadAsync(grain, cancellationToken).ConfigureAwait(false))?.Etag;
            throw StateConflict.Of(grain, etag, stored);
        }
        return (Expected(etag) + 1).ToString(CultureInfo.InvariantCulture);
    }

    private static object Key(StateKey grain) => new { grain.Type, grain.Tenant, grain.Key };

    /// <summary>The key columns of a grain as group-commit parameters.</summary>
    internal static (string, object?)[] KeyOf(StateKey grain) => [("@Type", grain.Type), ("@Tenant", grain.Tenant), ("@Key", grain.Key)];

    private sealed record StateRow(long Etag, byte[] Payload);
}
