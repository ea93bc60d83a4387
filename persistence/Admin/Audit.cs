using System.Data.Common;
using System.Text.Json;
using Dapper;
using Engine.Grains.Storage;
using Orleans.Runtime;

namespace Engine.Persistence.Admin;

/// <summary>
/// One change an admin or the operator made: who (user, role, and how they signed in), when, from which address,
/// what (method, route, target) and a JSON summary of the changed fields, without passwords or secrets.
/// <see cref="TenantId"/> is the tenant the change concerns; null for the platform's own.
/// </summary>
public sealed record AuditRecord(
    string Id, string? TenantId, long At, string ActorId, string ActorRole, string Via, string? Address,
    string Method, string Route, string TargetType, string? TargetId, string Summary);

/// <summary>
/// The audit trail is written in the transaction of the change it describes. The request that makes a change puts
/// its record in the Orleans request context (<see cref="Begin"/>), which flows through the request's awaits and
/// into every grain call it makes, on any silo. Each write of an admin store (<see cref="ChangeAsync{T}"/>) and each
/// write of a configuration grain's state (<see cref="IAuditedState"/>) then inserts the record beside its change,
/// unless a write before it in the same request already did: the record's id is its key. Writes made outside such a
/// request (routing, sign-in, seeds) carry none.
/// </summary>
public static class Audit
{
    private const string ContextKey = AuditContext.Key;

    private const string Columns = "id, tenant_id, at, actor_id, actor_role, via, address, method, route, target_type, target_id, summary";

    /// <summary>Makes <paramref name="record"/> the record of every change written until the result is disposed.</summary>
    public static IDisposable Begin(AuditRecord record)
    {
        // A string: it crosses to grains on other silos without a serializer of its own.
        RequestContext.Set(ContextKey, JsonSerializer.Serialize(record));
        return new Scope();
    }

    /// <summary>Changes the current record, if any, for the writes that follow in this flow of the request.</summary>
    public static void Amend(Func<AuditRecord, AuditRecord> change)
    {
        if (Current is { } record) RequestContext.Set(ContextKey, JsonSerializer.Serialize(change(record)));
    }

    /// <summary>The record of the change being made, if any.</summary>
    public static AuditRecord? Current
        => RequestContext.Get(ContextKey) is string json ? JsonSerializer.Deserialize<AuditRecord>(json) : null;

    /// <summary>
    /// Runs <paramref name="change"/> in a transaction and, when <paramref name="changed"/> says it changed something,
    /// inserts the current audit record in the same transaction (naming <paramref name="targetId"/> when the
    /// route did not, as for a creation). Nothing is written when the change or the record fails.
    /// </summary>
    public static async Task<T> ChangeAsync<T>(this Database database, Func<DbConnection, DbTransaction, Task<T>> change, Func<T, bool> changed, string? targetId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var result = await change(connection, transaction).ConfigureAwait(false);
        if (!changed(result)) return result;
        await RecordAsync(connection, transaction, targetId, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>A change that always counts (an insert): the rows it wrote and its record, or nothing.</summary>
    public static Task ChangeAsync(this Database database, Func<DbConnection, DbTransaction, Task> change, string? targetId, CancellationToken cancellationToken)
        => database.ChangeAsync(async (connection, transaction) =>
        {
            await change(connection, transaction).ConfigureAwait(false);
            return true;
        }, static done => done, targetId, cancellationToken);

    /// <summary>One statement as a change: true (and recorded) when it changed a row.</summary>
    public static Task<bool> ChangeOneAsync(this Database database, string sql, object args, CancellationToken cancellationToken, string? targetId = null)
        => database.ChangeAsync(async (connection, transaction) => await connection.ExecuteAsync(new CommandDefinition(
            sql, args, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false) > 0, static changed => changed, targetId, cancellationToken);

    /// <summary>
    /// Inserts the current record, if any and not already stored, in <paramref name="transaction"/>; a new tenant
    /// names itself as <paramref name="tenantId"/>, so that its trail starts with its creation.
    /// </summary>
    public static Task RecordAsync(DbConnection connection, DbTransaction transaction, string? targetId, CancellationToken cancellationToken, string? tenantId = null)
    {
        if (Current is not { } record) return Task.CompletedTask;
        return connection.ExecuteAsync(new CommandDefinition(
            $"INSERT INTO audit_records ({Columns}) VALUES (@Id, @TenantId, @At, @ActorId, @ActorRole, @Via, @Address, @Method, @Route, @TargetType, @TargetId, @Summary) ON CONFLICT DO NOTHING",
            record with { TargetId = record.TargetId ?? targetId, TenantId = record.TenantId ?? tenantId }, transaction, cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Takes the current record back, in the transaction that undoes the change it described. The record stays,
    /// marked and unlisted, so that a late write of the undone change (a grain call that timed out but went on)
    /// cannot record it again.
    /// </summary>
    public static async Task WithdrawAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        if (Current is not { } record) return;
        await RecordAsync(connection, transaction, null, cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition("UPDATE audit_records SET withdrawn = 1 WHERE id = @Id", new { record.Id }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>
    /// For a grain state write in the group commit: the statement that inserts the current record right after it,
    /// in its transaction, when the state row then holds exactly what was written (a write refused for its ETag
    /// stores nothing, and so no record). Null outside an audited change.
    /// </summary>
    internal static SqlWrite? AfterStateWrite(StateKey grain, ReadOnlyMemory<byte> payload)
    {
        if (Current is not { } record) return null;
        return new SqlWrite(
            $"""
            INSERT INTO audit_records ({Columns})
            SELECT @A_Id, @A_Tenant, @A_At, @A_Actor, @A_Role, @A_Via, @A_Address, @A_Method, @A_Route, @A_TargetType, @A_TargetId, @A_Summary
            WHERE EXISTS (SELECT 1 FROM grain_state WHERE grain_type = @Type AND tenant_id = @Tenant AND grain_key = @Key AND payload = @Payload)
            ON CONFLICT DO NOTHING
            """,
            [
                ("@A_Id", record.Id), ("@A_Tenant", record.TenantId), ("@A_At", record.At), ("@A_Actor", record.ActorId), ("@A_Role", record.ActorRole),
                ("@A_Via", record.Via), ("@A_Address", record.Address), ("@A_Method", record.Method), ("@A_Route", record.Route),
                ("@A_TargetType", record.TargetType), ("@A_TargetId", record.TargetId), ("@A_Summary", record.Summary),
                ("@Type", grain.Type), ("@Tenant", grain.Tenant), ("@Key", grain.Key), ("@Payload", payload),
            ]);
    }

    private sealed class Scope : IDisposable
    {
        public void Dispose() => RequestContext.Remove(ContextKey);
    }
}
