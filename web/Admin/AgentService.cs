using Engine.Grains.Routing;
using Engine.Persistence;
using Engine.Persistence.Admin;
using Engine.Web.Auth;
using Engine.Web.Infrastructure;

namespace Engine.Web.Admin;

/// <summary>The fields of a new agent (AG-1), already validated.</summary>
public sealed record NewAgent(string Name, string? StaffNo, string Email, string? Nickname, string? Phone, string Role, IReadOnlyList<string> SkillGroupIds);

/// <summary>
/// Agents and admins of a tenant (AG-1..AG-3): rows in the store, and membership of the running skill
/// group grains so that routing sees a change at once.
/// </summary>
public sealed class AgentService(Database database, UserStore users, SkillGroupStore groups, Passwords passwords, InitialPasswords delivery, IGrainFactory grains, ApiTokenCache tokens, TimeProvider time)
{
    /// <summary>Adds every agent or none (AG-4); returns each with their initial password (TN-3).</summary>
    public async Task<IReadOnlyList<(UserRow User, string InitialPassword)>> CreateAsync(string tenantId, IReadOnlyList<NewAgent> agents, CancellationToken cancellationToken)
    {
        await RequireGroupsAsync(tenantId, agents.SelectMany(a => a.SkillGroupIds).ToHashSet(StringComparer.Ordinal), cancellationToken);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var created = agents.Select(a =>
        {
            var initial = Passwords.Generate();
            var row = new UserRow
            {
                Id = Ids.New(), TenantId = tenantId, Email = a.Email, Name = a.Name, Nickname = a.Nickname, Phone = a.Phone, StaffNo = a.StaffNo,
                Role = a.Role, PasswordHash = passwords.Hash(initial), MustChangePassword = 1, CreatedAt = now, UpdatedAt = now,
            };
            return (Row: row, Initial: initial, a.SkillGroupIds);
        }).ToList();
        await users.InsertAllAsync([.. created.Select(c => (c.Row, c.SkillGroupIds))], [.. created.Select(c => delivery.Message(c.Row, c.Initial))], cancellationToken);
        foreach (var (row, _, groupIds) in created)
            foreach (var groupId in groupIds) await JoinAsync(tenantId, groupId, row.Id);
        return [.. created.Select(c => (c.Row, c.Initial))];
    }

    /// <summary>AG-3: name, nickname, phone and (when given) the skill groups; staff number, email and role never change.</summary>
    public async Task<UserRow> UpdateAsync(string tenantId, string id, string name, string? nickname, string? phone, IReadOnlyList<string>? skillGroupIds, CancellationToken cancellationToken)
    {
        var user = await RequireAsync(tenantId, id, cancellationToken);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        if (skillGroupIds is not null)
        {
            var wanted = skillGroupIds.ToHashSet(StringComparer.Ordinal);
            await RequireGroupsAsync(tenantId, wanted, cancellationToken);
            var current = (await groups.GroupsOfAsync(tenantId, [id], cancellationToken))[id].ToHashSet(StringComparer.Ordinal);
            // Routing first, the rows after; joining or leaving twice is harmless, so a retry after a
            // failure part-way repairs whatever the first attempt left undone.
            foreach (var groupId in wanted)
            {
                await JoinAsync(tenantId, groupId, id);
                if (!current.Contains(groupId)) await groups.AddMembersAsync(tenantId, groupId, [id], now, cancellationToken);
            }
            foreach (var groupId in current.Except(wanted))
            {
                await LeaveAsync(tenantId, groupId, id);
                await groups.RemoveMemberAsync(groupId, id, cancellationToken);
            }
        }
        await users.UpdateProfileAsync(id, name, nickname, phone, now, cancellationToken);
        return (await users.GetAsync(user.Id, cancellationToken))!;
    }

    /// <summary>
    /// AG-3: cannot sign in any more, leaves every group, keeps what they hold; their records stay. Routing
    /// lets go first, so a retry after a failure part-way finds the row and finishes. TN-2: the last admin
    /// stays; the check, the routing side and the row change happen under the tenant's user lock, so two
    /// admins deleted at once on any silos never both go, and a refused delete has touched nothing.
    /// </summary>
    public async Task DeleteAsync(string tenantId, string id, CancellationToken cancellationToken)
    {
        await using var hold = await database.HoldTenantAsync(tenantId, "users", cancellationToken);
        var user = await RequireAsync(tenantId, id, cancellationToken);
        if (user.Role == Roles.Admin && (await users.ListAsync(tenantId, new UserFilter(Role: Roles.Admin), 0, 1, cancellationToken)).Total <= 1)
            throw new LastAdminException();
        foreach (var groupId in (await groups.GroupsOfAsync(tenantId, [id], cancellationToken))[id]) await LeaveAsync(tenantId, groupId, id);
        await grains.Agent(tenantId, id).Delete();
        await users.DeleteAsync(id, time.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken);
        tokens.ForgetUser(id);
        SignOutEverywhere(tenantId, id, "deleted");
    }

    /// <summary>AG-3: the agent's open workbenches, on whichever servers, are told and closed (their grain reaches every one).</summary>
    private void SignOutEverywhere(string tenantId, string id, string reason)
        => _ = grains.Agent(tenantId, id).Notify(new AgentPush(tenantId, id, AgentPush.SignedOutKind, Reason: reason));

    /// <summary>AG-3, TN-2: a new initial password; the old one, open sessions and API tokens stop working, and the next sign-in must change it.</summary>
    public async Task<string> ResetPasswordAsync(string tenantId, string id, string? role, CancellationToken cancellationToken)
    {
        var user = await RequireAsync(tenantId, id, cancellationToken, role);
        var initial = Passwords.Generate();
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        await users.SetPasswordAsync(id, passwords.Hash(initial), mustChange: true, now, cancellationToken, revokeTokens: true, message: delivery.Message(user, initial));
        tokens.ForgetUser(id);
        SignOutEverywhere(tenantId, id, "password-reset");
        return initial;
    }

    public async Task<UserRow> RequireAsync(string tenantId, string id, CancellationToken cancellationToken, string? role = null)
        => await users.GetInTenantAsync(tenantId, id, role, cancellationToken) ?? throw new NotFoundException($"User {id}");

    /// <summary>Which of <paramref name="ids"/> name no agent of the tenant (admins work as agents too; operators and deleted users do not), each once.</summary>
    public async Task<IReadOnlyList<string>> UnknownAsync(string tenantId, IEnumerable<string> ids, CancellationToken cancellationToken)
    {
        var unknown = new List<string>();
        foreach (var id in ids.Distinct(StringComparer.Ordinal))
            if (await users.GetInTenantAsync(tenantId, id, null, cancellationToken) is not { Role: not Auth.Roles.Operator }) unknown.Add(id);
        return unknown;
    }

    public ValueTask JoinAsync(string tenantId, string groupId, string agentId)
        => grains.SkillGroup(tenantId, groupId).AddMember(agentId);

    public ValueTask LeaveAsync(string tenantId, string groupId, string agentId)
        => grains.SkillGroup(tenantId, groupId).RemoveMember(agentId);

    private async Task RequireGroupsAsync(string tenantId, IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
    {
        var found = (await groups.GetManyAsync(tenantId, ids, cancellationToken)).Select(g => g.Id).ToHashSet(StringComparer.Ordinal);
        var missing = ids.Where(id => !found.Contains(id)).ToList();
        if (missing.Count > 0) throw RequestValidationException.For("skillGroupIds", $"names unknown skill group(s): {string.Join(", ", missing)}");
    }
}
