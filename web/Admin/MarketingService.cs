using Engine.Grains.Routing;
using Engine.Marketing;
using Engine.Persistence.Admin;
using Engine.Web.Infrastructure;

namespace Engine.Web.Admin;

/// <summary>
/// Marketing accounts (MK-1..MK-6): the row admins list, and the account's group grain that routes its visitors
/// through the engine's own queue, policies and reservations. The grain is configured after the row is written; a
/// group the grains refuse leaves no row behind. The staff an account names (agents, whole departments) come to a
/// set of people, kept in step with the group's members whenever the names or the departments change.
/// </summary>
public sealed class MarketingService(MarketingStore accounts, DepartmentStore departments, AgentService agents, IGrainFactory grains, TimeProvider time)
{
    public const int MaxStaff = 200;

    public async Task<MarketingAccountRow> CreateAsync(string tenantId, string name, string? subOrg, AccountSettings settings, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var row = new MarketingAccountRow
        {
            Id = Ids.New(), TenantId = tenantId, Name = name, SubOrg = subOrg, Settings = settings.ToJson(), CreatedAt = now, UpdatedAt = now,
            // 128 random bits: the test link opens the account's chat to whoever has it.
            TestKey = "mk" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16)),
        };
        if (!await accounts.InsertAsync(row, cancellationToken))
            throw RequestValidationException.For("name", $"cannot be added: a tenant has at most {MarketingStore.MaxPerTenant} marketing accounts (MK-1)");
        try
        {
            await Configure(tenantId, row.Id, settings);
        }
        catch (Exception)
        {
            // Whatever stopped the grain, no account that does not route stays behind.
            await accounts.DeleteAsync(tenantId, row.Id, CancellationToken.None);
            throw;
        }
        return row;
    }

    /// <summary>Routing first (the group takes the new cap and rule at once), then the row.</summary>
    public async Task<MarketingAccountRow> UpdateAsync(MarketingAccountRow row, AccountSettings settings, CancellationToken cancellationToken)
    {
        await Configure(row.TenantId, row.Id, settings);
        row.Settings = settings.ToJson();
        row.UpdatedAt = time.GetUtcNow().ToUnixTimeMilliseconds();
        await accounts.UpdateAsync(row, cancellationToken);
        return row;
    }

    /// <summary>The account's group goes first (refused while visitors wait in its queue), then the row; its records stay.</summary>
    public async Task DeleteAsync(string tenantId, string id, CancellationToken cancellationToken)
    {
        await RequireAsync(tenantId, id, cancellationToken);
        await grains.Tenant(tenantId).DeleteSkillGroup(id);
        await accounts.DeleteAsync(tenantId, id, cancellationToken);
    }

    /// <summary>MK-1: the avatar (checked by the caller: jpg or png, at most 2 MB), stored with the account as one change.</summary>
    public async Task<MarketingAccountRow> SetAvatarAsync(MarketingAccountRow row, byte[] bytes, string contentType, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        row.UpdatedAt = now;
        var avatar = new MediaRow { Id = MediaStore.NewId(), TenantId = row.TenantId, ConversationId = "account:" + row.Id, ContentType = contentType, Size = bytes.Length, Bytes = bytes, CreatedAt = now };
        if (!await accounts.SetAvatarAsync(row, avatar, cancellationToken)) throw new NotFoundException($"Marketing account {row.Id}");
        return row;
    }

    public async Task<MarketingAccountRow> RequireAsync(string tenantId, string id, CancellationToken cancellationToken)
        => await accounts.GetAsync(tenantId, id, cancellationToken) ?? throw new NotFoundException($"Marketing account {id}");

    /// <summary>MK-2: who the account names; the people that comes to must be at most <see cref="MaxStaff"/>.</summary>
    public async Task<IReadOnlyList<string>> SetStaffAsync(string tenantId, string id, StaffChoice choice, CancellationToken cancellationToken)
    {
        await RequireAsync(tenantId, id, cancellationToken);
        var checks = new Checks();
        if (await agents.UnknownAsync(tenantId, choice.AgentIds, cancellationToken) is { Count: > 0 } unknownAgents) checks.Add("agentIds", $"names unknown agent(s): {string.Join(", ", unknownAgents)}");
        var known = (await departments.ListAsync(tenantId, cancellationToken)).Select(d => d.Id).ToHashSet(StringComparer.Ordinal);
        var unknownDepartments = choice.DepartmentIds.Where(d => !known.Contains(d)).ToList();
        if (unknownDepartments.Count > 0) checks.Add("departmentIds", $"names unknown department(s): {string.Join(", ", unknownDepartments)}");
        checks.ThrowIfAny();
        var (saved, people) = await accounts.SetStaffAsync(tenantId, id, choice, MaxStaff, cancellationToken);
        if (!saved) throw RequestValidationException.For("agentIds", $"with the departments named comes to {people} people; an account's staff is at most {MaxStaff} (MK-2)");
        return await SyncStaffAsync(tenantId, id, cancellationToken);
    }

    /// <summary>
    /// Brings the account's group to the people its staff comes to now: those who joined (a department they are in
    /// was named, or they joined such a department) can be offered its visitors at once; those who left cannot.
    /// </summary>
    public async Task<IReadOnlyList<string>> SyncStaffAsync(string tenantId, string id, CancellationToken cancellationToken)
    {
        var wanted = await accounts.StaffAsync(tenantId, id, cancellationToken);
        var group = grains.SkillGroup(tenantId, id);
        var current = (await group.GetSnapshot()).Members;
        foreach (var agentId in wanted.Except(current, StringComparer.Ordinal)) await group.AddMember(agentId);
        foreach (var agentId in current.Except(wanted, StringComparer.Ordinal)) await group.RemoveMember(agentId);
        return wanted;
    }

    /// <summary>After a department changed (its members, its place in the tree, or it went): every account it reaches follows.</summary>
    public async Task SyncDepartmentAsync(string tenantId, string? departmentId, CancellationToken cancellationToken)
    {
        var affected = departmentId is null
            ? await accounts.AccountIdsAsync(tenantId, cancellationToken)
            : await accounts.AccountsNamingDepartmentAsync(tenantId, departmentId, cancellationToken);
        foreach (var accountId in affected) await SyncStaffAsync(tenantId, accountId, cancellationToken);
    }

    /// <summary>The accounts a department's new members would take past <see cref="MaxStaff"/>, with the people each would have.</summary>
    public async Task<IReadOnlyList<(string AccountId, int People)>> OverStaffedAsync(string tenantId, string departmentId, IReadOnlyCollection<string> joining, CancellationToken cancellationToken)
    {
        var over = new List<(string, int)>();
        foreach (var accountId in await accounts.AccountsNamingDepartmentAsync(tenantId, departmentId, cancellationToken))
        {
            var people = (await accounts.StaffAsync(tenantId, accountId, cancellationToken)).Union(joining, StringComparer.Ordinal).Count();
            if (people > MaxStaff) over.Add((accountId, people));
        }
        return over;
    }

    private ValueTask Configure(string tenantId, string id, AccountSettings settings)
        => grains.Tenant(tenantId).ConfigureAccountGroup(id, settings.Rule.Cap, settings.Rule.Routing);
}
