using System.Data.Common;
using Dapper;

namespace Engine.Persistence.Admin;

public sealed class UserRow
{
    public string Id { get; set; } = "";
    public string? TenantId { get; set; }
    public string Email { get; set; } = "";
    public string Name { get; set; } = "";
    public string? Nickname { get; set; }
    public string? Phone { get; set; }
    public string? StaffNo { get; set; }
    public string Role { get; set; } = "";
    public string PasswordHash { get; set; } = "";
    public int MustChangePassword { get; set; }
    public int FailedSignIns { get; set; }
    public long? LockedUntil { get; set; }
    public long? DeletedAt { get; set; }
    public long CreatedAt { get; set; }
    public long UpdatedAt { get; set; }
}

/// <summary>What a user list can be narrowed to (AG-3); null means any.</summary>
public sealed record UserFilter(string? Role = null, string? Email = null, string? Name = null, string? Phone = null, string? SkillGroupId = null);

/// <summary>Platform operators, tenant admins and agents: one sign-in per email (AG-1). Deleted users stay as history.</summary>
public sealed class UserStore(Database database)
{
    private const string Columns =
        "id AS Id, tenant_id AS TenantId, email AS Email, name AS Name, nickname AS Nickname, phone AS Phone, staff_no AS StaffNo, " +
        "role AS Role, password_hash AS PasswordHash, must_change_password AS MustChangePassword, failed_sign_ins AS FailedSignIns, " +
        "locked_until AS LockedUntil, deleted_at AS DeletedAt, created_at AS CreatedAt, updated_at AS UpdatedAt";

    private static readonly Dictionary<string, string> Unique = new(StringComparer.Ordinal)
    {
        ["email"] = "email",
        ["staff_no"] = "staffNo",
    };

    public static async Task InsertAsync(Dialect dialect, DbConnection connection, DbTransaction transaction, UserRow user, CancellationToken cancellationToken)
    {
        await UniqueViolations.GuardAsync(dialect, () => connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO users (id, tenant_id, email, name, nickname, phone, staff_no, role, password_hash, must_change_password, failed_sign_ins, created_at, updated_at)
            VALUES (@Id, @TenantId, @Email, @Name, @Nickname, @Phone, @StaffNo, @Role, @PasswordHash, @MustChangePassword, 0, @CreatedAt, @UpdatedAt)
            """, user, transaction, cancellationToken: cancellationToken)), Unique).ConfigureAwait(false);
    }

    /// <summary>The users, their skill group memberships and the messages telling them their initial passwords, all or none (AG-4).</summary>
    public async Task InsertAllAsync(IReadOnlyList<(UserRow User, IReadOnlyList<string> GroupIds)> users, IReadOnlyList<OutboxRow> messages, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        foreach (var (user, groups) in users)
        {
            await InsertAsync(database.Dialect, connection, transaction, user, cancellationToken).ConfigureAwait(false);
            foreach (var groupId in groups)
                await SkillGroupStore.AddMemberAsync(connection, transaction, user.TenantId!, groupId, user.Id, user.CreatedAt, cancellationToken).ConfigureAwait(false);
        }
        foreach (var message in messages) await OutboxStore.InsertAsync(connection, transaction, message, cancellationToken).ConfigureAwait(false);
        await Audit.RecordAsync(connection, transaction, users.Count == 1 ? users[0].User.Id : null, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Which of <paramref name="emails"/> are taken (by anyone, deleted users too) and which of <paramref name="staffNos"/> in the tenant.</summary>
    public async Task<(HashSet<string> Emails, HashSet<string> StaffNos)> TakenAsync(string tenantId, IReadOnlyCollection<string> emails, IReadOnlyCollection<string> staffNos, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var takenEmails = emails.Count == 0 ? [] : await connection.QueryAsync<string>(new CommandDefinition(
            $"SELECT email FROM users WHERE {database.Dialect.In("email", "emails")}", new { emails = emails.ToArray() }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var takenStaff = staffNos.Count == 0 ? [] : await connection.QueryAsync<string>(new CommandDefinition(
            $"SELECT staff_no FROM users WHERE tenant_id = @tenantId AND {database.Dialect.In("staff_no", "staffNos")}", new { tenantId, staffNos = staffNos.ToArray() }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return (takenEmails.ToHashSet(StringComparer.Ordinal), takenStaff.ToHashSet(StringComparer.Ordinal));
    }

    /// <summary>A user who can sign in (not deleted) by email.</summary>
    public Task<UserRow?> FindByEmailAsync(string email, CancellationToken cancellationToken)
        => SingleAsync($"SELECT {Columns} FROM users WHERE email = @email AND deleted_at IS NULL", new { email }, cancellationToken);

    public Task<UserRow?> GetAsync(string id, CancellationToken cancellationToken)
        => SingleAsync($"SELECT {Columns} FROM users WHERE id = @id", new { id }, cancellationToken);

    /// <summary>A live user of the tenant, optionally of one role; null for another tenant's user, a deleted one or another role.</summary>
    public Task<UserRow?> GetInTenantAsync(string tenantId, string id, string? role, CancellationToken cancellationToken)
        => SingleAsync(
            $"SELECT {Columns} FROM users WHERE tenant_id = @tenantId AND id = @id AND deleted_at IS NULL AND (@role IS NULL OR role = @role)",
            new { tenantId, id, role }, cancellationToken);

    public async Task<Page<UserRow>> ListAsync(string tenantId, UserFilter filter, int offset, int limit, CancellationToken cancellationToken)
    {
        const string where = """
            FROM users u WHERE u.tenant_id = @tenantId AND u.deleted_at IS NULL
              AND (@Role IS NULL OR u.role = @Role)
              AND (@Email IS NULL OR u.email = @Email)
              AND (@Name IS NULL OR LOWER(u.name) LIKE LOWER(@NameLike) ESCAPE '\')
              AND (@Phone IS NULL OR u.phone = @Phone)
              AND (@SkillGroupId IS NULL OR EXISTS (SELECT 1 FROM skill_group_members m WHERE m.group_id = @SkillGroupId AND m.user_id = u.id))
            """;
        var args = new
        {
            tenantId, filter.Role, Email = filter.Email?.ToLowerInvariant(), filter.Name,
            NameLike = LikePattern.Containing(filter.Name), filter.Phone, filter.SkillGroupId, offset, limit,
        };
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var total = await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) " + where, args, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var rows = await connection.QueryAsync<UserRow>(new CommandDefinition(
            $"SELECT {Columns.Replace("id AS Id", "u.id AS Id", StringComparison.Ordinal)} {where} ORDER BY u.created_at, u.id LIMIT @limit OFFSET @offset",
            args, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return new Page<UserRow>([.. rows], total, offset, limit);
    }

    /// <summary>
    /// One more failed sign-in; the <paramref name="lockAfter"/>th in a row locks the account until
    /// <paramref name="lockedUntil"/> and starts the count again. One statement, so parallel attempts all count.
    /// </summary>
    public Task RecordFailedSignInAsync(string id, int lockAfter, long lockedUntil, CancellationToken cancellationToken) => ExecuteAsync(
        """
        UPDATE users SET
            locked_until = CASE WHEN failed_sign_ins + 1 >= @lockAfter THEN @lockedUntil ELSE locked_until END,
            failed_sign_ins = CASE WHEN failed_sign_ins + 1 >= @lockAfter THEN 0 ELSE failed_sign_ins + 1 END
        WHERE id = @id
        """, new { id, lockAfter, lockedUntil }, cancellationToken);

    public Task ClearFailedSignInsAsync(string id, CancellationToken cancellationToken)
        => ExecuteAsync("UPDATE users SET failed_sign_ins = 0, locked_until = NULL WHERE id = @id AND (failed_sign_ins <> 0 OR locked_until IS NOT NULL)", new { id }, cancellationToken);

    /// <summary>
    /// A new password; the old one stops working. <paramref name="mustChange"/> for an initial password (TN-3). A reset
    /// (<paramref name="revokeTokens"/>) also revokes the user's API tokens in the same transaction, so that it stops every way in (AG-3).
    /// </summary>
    public Task<bool> SetPasswordAsync(string id, string passwordHash, bool mustChange, long now, CancellationToken cancellationToken, bool revokeTokens = false, OutboxRow? message = null)
        => database.ChangeAsync(async (connection, transaction) =>
        {
            var set = await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE users SET password_hash = @passwordHash, must_change_password = @mustChange, failed_sign_ins = 0, locked_until = NULL, updated_at = @now WHERE id = @id AND deleted_at IS NULL",
                new { id, passwordHash, mustChange = mustChange ? 1 : 0, now }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false) == 1;
            if (set && revokeTokens)
            {
                await connection.ExecuteAsync(new CommandDefinition(
                    "UPDATE api_tokens SET revoked_at = @now WHERE user_id = @id AND revoked_at IS NULL", new { id, now }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            }
            if (set && message is not null) await OutboxStore.InsertAsync(connection, transaction, message, cancellationToken).ConfigureAwait(false);
            return set;
        }, static set => set, id, cancellationToken);

    public Task<bool> UpdateProfileAsync(string id, string name, string? nickname, string? phone, long now, CancellationToken cancellationToken) => database.ChangeOneAsync(
        "UPDATE users SET name = @name, nickname = @nickname, phone = @phone, updated_at = @now WHERE id = @id AND deleted_at IS NULL",
        new { id, name, nickname, phone, now }, cancellationToken, id);

    /// <summary>
    /// The user can no longer sign in and leaves every skill group; their history stays (AG-3). Refused
    /// (<see cref="LastAdminException"/>) for the tenant's last admin (TN-2), checked under the tenant's lock.
    /// </summary>
    public async Task<bool> DeleteAsync(string id, long now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var target = await connection.QuerySingleOrDefaultAsync<UserRow>(new CommandDefinition(
            $"SELECT {Columns} FROM users WHERE id = @id AND deleted_at IS NULL", new { id }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (target is null) return false;
        if (target is { Role: "admin", TenantId: { } tenantId })
        {
            await database.LockTenantAsync(connection, transaction, tenantId, cancellationToken).ConfigureAwait(false);
            var admins = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                "SELECT COUNT(*) FROM users WHERE tenant_id = @tenantId AND role = 'admin' AND deleted_at IS NULL", new { tenantId }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            if (admins <= 1) throw new LastAdminException();
        }
        var deleted = await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE users SET deleted_at = @now, updated_at = @now WHERE id = @id AND deleted_at IS NULL", new { id, now }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        // Deleted meanwhile by another request: that one did the rest, with its record.
        if (deleted == 0) return false;
        await connection.ExecuteAsync(new CommandDefinition("DELETE FROM skill_group_members WHERE user_id = @id", new { id }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition("UPDATE api_tokens SET revoked_at = @now WHERE user_id = @id AND revoked_at IS NULL", new { id, now }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        await Audit.RecordAsync(connection, transaction, id, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    private async Task<UserRow?> SingleAsync(string sql, object args, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.QuerySingleOrDefaultAsync<UserRow>(new CommandDefinition(sql, args, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    private async Task<bool> ExecuteAsync(string sql, object args, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync(new CommandDefinition(sql, args, cancellationToken: cancellationToken)).ConfigureAwait(false) > 0;
    }
}

/// <summary>TN-2: a tenant keeps at least one admin.</summary>
public sealed class LastAdminException() : Engine.StateMachines.DomainException("A tenant keeps at least one admin (TN-2); add another admin before deleting this one.");
