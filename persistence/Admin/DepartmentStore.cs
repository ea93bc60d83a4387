using Dapper;

namespace Engine.Persistence.Admin;

public sealed class DepartmentRow
{
    public string Id { get; set; } = "";
    public string Name { get; set; } = "";
    public string? ParentId { get; set; }
    public long Members { get; set; }
    public long CreatedAt { get; set; }
    public long UpdatedAt { get; set; }
}

/// <summary>MK-2: the tenant's departments, a small tree of its agents, named whole as a marketing account's staff.</summary>
public sealed class DepartmentStore(Database database)
{
    public const int MaxPerTenant = 100;
    public const int MaxDepth = 5;

    /// <summary>A name is unique among its siblings.</summary>
    private static readonly Dictionary<string, string> Unique = new(StringComparer.Ordinal) { ["ux_departments_name"] = "name" };

    private const string Columns =
        "d.id AS Id, d.name AS Name, d.parent_id AS ParentId, d.created_at AS CreatedAt, d.updated_at AS UpdatedAt, " +
        "(SELECT COUNT(*) FROM department_members m JOIN users u ON u.id = m.user_id WHERE m.department_id = d.id AND u.deleted_at IS NULL) AS Members";

    /// <summary>The whole tree, parents before their children, each level by name.</summary>
    public async Task<IReadOnlyList<DepartmentRow>> ListAsync(string tenantId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<DepartmentRow>(new CommandDefinition(
            $"SELECT {Columns} FROM departments d WHERE d.tenant_id = @tenantId ORDER BY d.name, d.id", new { tenantId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var byParent = rows.ToLookup(r => r.ParentId ?? "");
        var ordered = new List<DepartmentRow>();
        void Walk(string parent) { foreach (var child in byParent[parent]) { ordered.Add(child); Walk(child.Id); } }
        Walk("");
        return ordered;
    }

    public async Task<DepartmentRow?> GetAsync(string tenantId, string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.QuerySingleOrDefaultAsync<DepartmentRow>(new CommandDefinition(
            $"SELECT {Columns} FROM departments d WHERE d.tenant_id = @tenantId AND d.id = @id", new { tenantId, id }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>False when the tenant has <see cref="MaxPerTenant"/> departments already (checked and written under one lock).</summary>
    public async Task<bool> InsertAsync(string tenantId, DepartmentRow department, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await database.LockTenantAsync(connection, transaction, tenantId, cancellationToken).ConfigureAwait(false);
        var count = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM departments WHERE tenant_id = @tenantId", new { tenantId }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (count >= MaxPerTenant) return false;
        await UniqueViolations.GuardAsync(database.Dialect, () => connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO departments (id, tenant_id, name, parent_id, created_at, updated_at) VALUES (@Id, @tenantId, @Name, @ParentId, @CreatedAt, @UpdatedAt)",
            new { department.Id, tenantId, department.Name, department.ParentId, department.CreatedAt, department.UpdatedAt }, transaction, cancellationToken: cancellationToken)), Unique).ConfigureAwait(false);
        await Audit.RecordAsync(connection, transaction, department.Id, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    public Task<bool> UpdateAsync(string tenantId, string id, string name, string? parentId, long now, CancellationToken cancellationToken)
        => UniqueViolations.GuardAsync(database.Dialect, () => database.ChangeOneAsync(
            "UPDATE departments SET name = @name, parent_id = @parentId, updated_at = @now WHERE tenant_id = @tenantId AND id = @id",
            new { tenantId, id, name, parentId, now }, cancellationToken), Unique);

    /// <summary>The department goes with its memberships and wherever an account names it; false when it has sub-departments (they go first) or is not there.</summary>
    public async Task<bool> DeleteAsync(string tenantId, string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var children = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM departments WHERE tenant_id = @tenantId AND parent_id = @id", new { tenantId, id }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (children > 0) return false;
        await connection.ExecuteAsync(new CommandDefinition("DELETE FROM department_members WHERE department_id = @id", new { id }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM marketing_staff WHERE tenant_id = @tenantId AND kind = 'department' AND ref_id = @id", new { tenantId, id }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var deleted = await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM departments WHERE tenant_id = @tenantId AND id = @id", new { tenantId, id }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (deleted == 1) await Audit.RecordAsync(connection, transaction, id, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    public async Task<IReadOnlyList<string>> MembersAsync(string tenantId, string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT m.user_id FROM department_members m JOIN users u ON u.id = m.user_id WHERE m.tenant_id = @tenantId AND m.department_id = @id AND u.deleted_at IS NULL ORDER BY m.added_at, m.user_id",
            new { tenantId, id }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows];
    }

    public Task AddMembersAsync(string tenantId, string id, IReadOnlyCollection<string> userIds, long now, CancellationToken cancellationToken)
        => database.ChangeAsync(async (connection, transaction) =>
        {
            foreach (var userId in userIds)
                await connection.ExecuteAsync(new CommandDefinition(
                    "INSERT INTO department_members (tenant_id, department_id, user_id, added_at) VALUES (@tenantId, @id, @userId, @now) ON CONFLICT DO NOTHING",
                    new { tenantId, id, userId, now }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }, id, cancellationToken);

    public Task<bool> RemoveMemberAsync(string tenantId, string id, string userId, CancellationToken cancellationToken)
        => database.ChangeOneAsync(
            "DELETE FROM department_members WHERE tenant_id = @tenantId AND department_id = @id AND user_id = @userId", new { tenantId, id, userId }, cancellationToken, id);
}
