using Dapper;

namespace Engine.Persistence.Admin;

public sealed class MarketingAccountRow
{
    public string Id { get; set; } = "";
    public string TenantId { get; set; } = "";
    public string Name { get; set; } = "";
    public string? SubOrg { get; set; }
    public string? AvatarId { get; set; }
    public string TestKey { get; set; } = "";

    /// <summary>The rule, hours, robot mode and prompts as one JSON document (the web layer's shape).</summary>
    public string Settings { get; set; } = "{}";
    public long CreatedAt { get; set; }
    public long UpdatedAt { get; set; }
}

/// <summary>Who an account names as staff (MK-2): agents one by one and whole departments.</summary>
public sealed record StaffChoice(IReadOnlyList<string> AgentIds, IReadOnlyList<string> DepartmentIds);

/// <summary>MK-1..MK-6: a tenant's marketing accounts and the staff they name; the account's group grain routes.</summary>
public sealed class MarketingStore(Database database)
{
    public const int MaxPerTenant = 10;

    private const string Columns =
        "id AS Id, tenant_id AS TenantId, name AS Name, sub_org AS SubOrg, avatar_id AS AvatarId, test_key AS TestKey, settings AS Settings, created_at AS CreatedAt, updated_at AS UpdatedAt";

    /// <summary>
    /// The agents an account's staff comes to: those it names, and the members of the departments it names and of
    /// their sub-departments; deleted users drop out.
    /// </summary>
    private const string StaffSql =
        """
        WITH RECURSIVE named(id) AS (
            SELECT ref_id FROM marketing_staff WHERE account_id = @accountId AND kind = 'department'
            UNION SELECT d.id FROM departments d JOIN named n ON d.parent_id = n.id)
        SELECT u.id FROM users u
        WHERE u.tenant_id = @tenantId AND u.deleted_at IS NULL AND u.role <> 'operator' AND (
            u.id IN (SELECT ref_id FROM marketing_staff WHERE account_id = @accountId AND kind = 'agent')
            OR u.id IN (SELECT m.user_id FROM department_members m JOIN named n ON m.department_id = n.id))
        ORDER BY u.id
        """;

    /// <summary>False when the tenant has <see cref="MaxPerTenant"/> accounts already (MK-1; checked and written under one lock).</summary>
    public async Task<bool> InsertAsync(MarketingAccountRow account, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await database.LockTenantAsync(connection, transaction, account.TenantId, cancellationToken).ConfigureAwait(false);
        var count = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM marketing_accounts WHERE tenant_id = @TenantId", account, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (count >= MaxPerTenant) return false;
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO marketing_accounts (id, tenant_id, name, sub_org, avatar_id, test_key, settings, created_at, updated_at)
            VALUES (@Id, @TenantId, @Name, @SubOrg, @AvatarId, @TestKey, @Settings, @CreatedAt, @UpdatedAt)
            """, account, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        // The account's web chat is a channel of its own (kind marketing, the account's id, the test link's key), which
        // the channel API does not list: visitors reach it as they reach a website's chat. No adapter token opens it.
        var unusable = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO channels (id, tenant_id, kind, name, mode, settings, flow_id, channel_key, token_hash, created_at, updated_at)
            VALUES (@Id, @TenantId, 'marketing', @Name, 'online', '{}', NULL, @TestKey, @unusable, @CreatedAt, @UpdatedAt)
            """, new { account.Id, account.TenantId, account.Name, account.TestKey, unusable, account.CreatedAt, account.UpdatedAt }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        await Audit.RecordAsync(connection, transaction, account.Id, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    public async Task<MarketingAccountRow?> GetAsync(string tenantId, string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.QuerySingleOrDefaultAsync<MarketingAccountRow>(new CommandDefinition(
            $"SELECT {Columns} FROM marketing_accounts WHERE tenant_id = @tenantId AND id = @id", new { tenantId, id }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>The account whose test link has this key (any tenant: the key is the link's secret).</summary>
    public async Task<MarketingAccountRow?> ByTestKeyAsync(string key, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.QuerySingleOrDefaultAsync<MarketingAccountRow>(new CommandDefinition(
            $"SELECT {Columns} FROM marketing_accounts WHERE test_key = @key", new { key }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>MK-6: oldest first; <paramref name="keyword"/> matches part of the name, <paramref name="subOrg"/> the whole sub-organisation.</summary>
    public async Task<IReadOnlyList<MarketingAccountRow>> ListAsync(string tenantId, string? keyword, string? subOrg, CancellationToken cancellationToken)
    {
        var pattern = LikePattern.Containing(keyword);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<MarketingAccountRow>(new CommandDefinition(
            $"""
            SELECT {Columns} FROM marketing_accounts
            WHERE tenant_id = @tenantId AND (@pattern IS NULL OR name LIKE @pattern ESCAPE '\') AND (@subOrg IS NULL OR sub_org = @subOrg)
            ORDER BY created_at, id
            """, new { tenantId, pattern, subOrg }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows];
    }

    public Task<bool> UpdateAsync(MarketingAccountRow account, CancellationToken cancellationToken)
        => database.ChangeOneAsync(
            """
            UPDATE marketing_accounts SET name = @Name, sub_org = @SubOrg, avatar_id = @AvatarId, settings = @Settings, updated_at = @UpdatedAt
            WHERE tenant_id = @TenantId AND id = @Id
            """, account, cancellationToken);

    /// <summary>MK-1: the avatar image stored and set on the account, as one change; false when the account is gone.</summary>
    public Task<bool> SetAvatarAsync(MarketingAccountRow account, MediaRow avatar, CancellationToken cancellationToken)
        => database.ChangeAsync(async (connection, transaction) =>
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO media (id, tenant_id, conversation_id, content_type, size, bytes, created_at) VALUES (@Id, @TenantId, @ConversationId, @ContentType, @Size, @Bytes, @CreatedAt)",
                avatar, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            account.AvatarId = avatar.Id;
            return await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE marketing_accounts SET avatar_id = @AvatarId, updated_at = @UpdatedAt WHERE tenant_id = @TenantId AND id = @Id",
                account, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false) == 1;
        }, changed => changed, account.Id, cancellationToken);

    /// <summary>The account goes with the staff it names; its records stay.</summary>
    public Task<bool> DeleteAsync(string tenantId, string id, CancellationToken cancellationToken)
        => database.ChangeAsync(async (connection, transaction) =>
        {
            await connection.ExecuteAsync(new CommandDefinition("DELETE FROM marketing_staff WHERE account_id = @id", new { id }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            await connection.ExecuteAsync(new CommandDefinition(
                "DELETE FROM channels WHERE tenant_id = @tenantId AND id = @id AND kind = 'marketing'", new { tenantId, id }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            return await connection.ExecuteAsync(new CommandDefinition(
                "DELETE FROM marketing_accounts WHERE tenant_id = @tenantId AND id = @id", new { tenantId, id }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false) == 1;
        }, deleted => deleted, id, cancellationToken);

    public async Task<StaffChoice> StaffChoiceAsync(string accountId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = (await connection.QueryAsync<(string Kind, string RefId)>(new CommandDefinition(
            "SELECT kind, ref_id FROM marketing_staff WHERE account_id = @accountId ORDER BY kind, ref_id", new { accountId }, cancellationToken: cancellationToken)).ConfigureAwait(false)).ToList();
        return new StaffChoice([.. rows.Where(r => r.Kind == "agent").Select(r => r.RefId)], [.. rows.Where(r => r.Kind == "department").Select(r => r.RefId)]);
    }

    /// <summary>The agents the account's staff comes to now (MK-2).</summary>
    public async Task<IReadOnlyList<string>> StaffAsync(string tenantId, string accountId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return [.. await connection.QueryAsync<string>(new CommandDefinition(StaffSql, new { tenantId, accountId }, cancellationToken: cancellationToken)).ConfigureAwait(false)];
    }

    /// <summary>
    /// Replaces who the account names, unless the people that comes to exceed <paramref name="maxPeople"/> (MK-2): then
    /// nothing is written and the count is returned with false.
    /// </summary>
    public async Task<(bool Saved, int People)> SetStaffAsync(string tenantId, string accountId, StaffChoice choice, int maxPeople, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition("DELETE FROM marketing_staff WHERE account_id = @accountId", new { accountId }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        foreach (var (kind, ids) in new[] { ("agent", choice.AgentIds), ("department", choice.DepartmentIds) })
            foreach (var refId in ids)
                await connection.ExecuteAsync(new CommandDefinition(
                    "INSERT INTO marketing_staff (tenant_id, account_id, kind, ref_id) VALUES (@tenantId, @accountId, @kind, @refId) ON CONFLICT DO NOTHING",
                    new { tenantId, accountId, kind, refId }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var people = (await connection.QueryAsync<string>(new CommandDefinition(StaffSql, new { tenantId, accountId }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false)).Count();
        if (people > maxPeople) return (false, people);
        await Audit.RecordAsync(connection, transaction, accountId, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return (true, people);
    }

    /// <summary>The accounts whose staff may change when a department's members change: those naming it or a department above it.</summary>
    public async Task<IReadOnlyList<string>> AccountsNamingDepartmentAsync(string tenantId, string departmentId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return [.. await connection.QueryAsync<string>(new CommandDefinition(
            """
            WITH RECURSIVE above(id) AS (
                SELECT @departmentId
                UNION SELECT d.parent_id FROM departments d JOIN above a ON d.id = a.id WHERE d.parent_id IS NOT NULL)
            SELECT DISTINCT account_id FROM marketing_staff WHERE tenant_id = @tenantId AND kind = 'department' AND ref_id IN (SELECT id FROM above)
            """, new { tenantId, departmentId }, cancellationToken: cancellationToken)).ConfigureAwait(false)];
    }

    /// <summary>Every account of the tenant (a deleted agent leaves each staff).</summary>
    public async Task<IReadOnlyList<string>> AccountIdsAsync(string tenantId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return [.. await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT id FROM marketing_accounts WHERE tenant_id = @tenantId ORDER BY created_at", new { tenantId }, cancellationToken: cancellationToken)).ConfigureAwait(false)];
    }
}
