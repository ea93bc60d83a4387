using System.Data.Common;
using Dapper;

namespace Engine.Persistence.Admin;

public sealed class SkillGroupRow
{
    public string Id { get; set; } = "";
    public string TenantId { get; set; } = "";
    public string Name { get; set; } = "";
    public string Mode { get; set; } = "";
    public long CreatedAt { get; set; }
    public long UpdatedAt { get; set; }
}

public sealed class MemberRow
{
    public string GroupId { get; set; } = "";
    public string UserId { get; set; } = "";
    public string Name { get; set; } = "";
    public string Email { get; set; } = "";
}

/// <summary>Skill groups (SG-1..SG-5) and their members, as admins list and edit them; the running grains route.</summary>
public sealed class SkillGroupStore(Database database)
{
    private const string Columns =
        "id AS Id, tenant_id AS TenantId, name AS Name, mode AS Mode, created_at AS CreatedAt, updated_at AS UpdatedAt";

    public static Task<int> AddMemberAsync(DbConnection connection, DbTransaction transaction, string tenantId, string groupId, string userId, long now, CancellationToken cancellationToken)
        => connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO skill_group_members (tenant_id, group_id, user_id, added_at) VALUES (@tenantId, @groupId, @userId, @now) ON CONFLICT DO NOTHING",
            new { tenantId, groupId, userId, now }, transaction, cancellationToken: cancellationToken));

    public Task InsertAsync(SkillGroupRow group, CancellationToken cancellationToken)
        => database.ChangeAsync((connection, transaction) => connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO skill_groups (id, tenant_id, name, mode, created_at, updated_at)
            VALUES (@Id, @TenantId, @Name, @Mode, @CreatedAt, @UpdatedAt)
            """, group, transaction, cancellationToken: cancellationToken)), group.Id, cancellationToken);

    /// <summary>
    /// Takes back a row whose group the routing refused (SG-1..SG-3): the row goes as if it never was, and so
    /// does the audit record its insert wrote.
    /// </summary>
    public async Task UndoInsertAsync(string tenantId, string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition("DELETE FROM skill_group_members WHERE group_id = @id", new { id }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM skill_groups WHERE tenant_id = @tenantId AND id = @id", new { tenantId, id }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        await Audit.WithdrawAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<SkillGroupRow?> GetAsync(string tenantId, string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.QuerySingleOrDefaultAsync<SkillGroupRow>(new CommandDefinition(
            $"SELECT {Columns} FROM skill_groups WHERE tenant_id = @tenantId AND id = @id AND deleted_at IS NULL",
            new { tenantId, id }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>The tenant's live groups among <paramref name="ids"/>.</summary>
    public async Task<IReadOnlyList<SkillGroupRow>> GetManyAsync(string tenantId, IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
    {
        if (ids.Count == 0) return [];
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<SkillGroupRow>(new CommandDefinition(
            $"SELECT {Columns} FROM skill_groups WHERE tenant_id = @tenantId AND {database.Dialect.In("id", "ids")} AND deleted_at IS NULL",
            new { tenantId, ids = ids.ToArray() }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows];
    }

    public async Task<Page<SkillGroupRow>> ListAsync(string tenantId, string? mode, int offset, int limit, CancellationToken cancellationToken)
    {
        const string where = "FROM skill_groups WHERE tenant_id = @tenantId AND deleted_at IS NULL AND (@mode IS NULL OR mode = @mode)";
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var total = await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) " + where, new { tenantId, mode }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var rows = await connection.QueryAsync<SkillGroupRow>(new CommandDefinition(
            $"SELECT {Columns} {where} ORDER BY created_at, id LIMIT @limit OFFSET @offset", new { tenantId, mode, limit, offset }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return new Page<SkillGroupRow>([.. rows], total, offset, limit);
    }

    public Task<bool> UpdateAsync(SkillGroupRow group, CancellationToken cancellationToken)
        => database.ChangeOneAsync(
            """
            UPDATE skill_groups SET name = @Name, updated_at = @UpdatedAt
            WHERE tenant_id = @TenantId AND id = @Id AND deleted_at IS NULL
            """, group, cancellationToken);

    /// <summary>SG-5: the group goes; its members just leave it.</summary>
    public async Task<bool> DeleteAsync(string tenantId, string id, long now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var deleted = await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE skill_groups SET deleted_at = @now, updated_at = @now WHERE tenant_id = @tenantId AND id = @id AND deleted_at IS NULL",
            new { tenantId, id, now }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition("DELETE FROM skill_group_members WHERE group_id = @id", new { id }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (deleted == 1) await Audit.RecordAsync(connection, transaction, id, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return deleted == 1;
    }

    public async Task AddMembersAsync(string tenantId, string groupId, IReadOnlyCollection<string> userIds, long now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var joined = 0;
        foreach (var userId in userIds) joined += await AddMemberAsync(connection, transaction, tenantId, groupId, userId, now, cancellationToken).ConfigureAwait(false);
        if (joined > 0) await Audit.RecordAsync(connection, transaction, groupId, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task<bool> RemoveMemberAsync(string groupId, string userId, CancellationToken cancellationToken)
        => database.ChangeOneAsync("DELETE FROM skill_group_members WHERE group_id = @groupId AND user_id = @userId", new { groupId, userId }, cancellationToken, groupId);

    /// <summary>SG-4: members with name and email, in the order they joined.</summary>
    public async Task<Page<MemberRow>> MembersAsync(string groupId, int offset, int limit, CancellationToken cancellationToken)
    {
        const string from = "FROM skill_group_members m JOIN users u ON u.id = m.user_id WHERE m.group_id = @groupId AND u.deleted_at IS NULL";
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var total = await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) " + from, new { groupId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var rows = await connection.QueryAsync<MemberRow>(new CommandDefinition(
            $"SELECT m.group_id AS GroupId, u.id AS UserId, u.name AS Name, u.email AS Email {from} ORDER BY m.added_at, u.id LIMIT @limit OFFSET @offset",
            new { groupId, limit, offset }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return new Page<MemberRow>([.. rows], total, offset, limit);
    }

    /// <summary>The groups each of <paramref name="userIds"/> belongs to.</summary>
    public async Task<ILookup<string, string>> GroupsOfAsync(string tenantId, IReadOnlyCollection<string> userIds, CancellationToken cancellationToken)
    {
        if (userIds.Count == 0) return Array.Empty<(string, string)>().ToLookup(x => x.Item1, x => x.Item2);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<MemberRow>(new CommandDefinition(
            $"SELECT group_id AS GroupId, user_id AS UserId FROM skill_group_members WHERE tenant_id = @tenantId AND {database.Dialect.In("user_id", "userIds")} ORDER BY added_at",
            new { tenantId, userIds = userIds.ToArray() }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.ToLookup(r => r.UserId, r => r.GroupId);
    }
}
