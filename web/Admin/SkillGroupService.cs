using Engine.Grains.Routing;
using Engine.Persistence.Admin;
using Engine.Routing;
using Engine.Web.Infrastructure;

namespace Engine.Web.Admin;

/// <summary>
/// Skill groups (SG-1..SG-5): the row admins list, and the tenant and group grains that route. The grain
/// decides (it knows the live queue), the row follows; a refused change leaves no row behind.
/// </summary>
public sealed class SkillGroupService(SkillGroupStore groups, AgentService agents, IGrainFactory grains, TimeProvider time)
{
    /// <summary>SG-1..SG-3: the row first (its name is checked there), then the grains; returns the row and the group as its grain holds it.</summary>
    public async Task<(SkillGroupRow Row, SkillGroupSnapshot Live)> CreateAsync(string tenantId, string name, ServiceMode mode, int receptionCap, IReadOnlyList<string> overflowGroupIds, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var row = new SkillGroupRow { Id = Ids.New(), TenantId = tenantId, Name = name, Mode = ModeName(mode), CreatedAt = now, UpdatedAt = now };
        await groups.InsertAsync(row, cancellationToken);
        try
        {
            await Tenant(tenantId).CreateSkillGroup(row.Id, mode, receptionCap, overflowGroupIds);
        }
        catch (Exception)
        {
            // Whatever stopped the grain (a refusal, a timeout), no row of a group that does not route stays behind, nor its audit record.
            await groups.UndoInsertAsync(tenantId, row.Id, CancellationToken.None);
            throw;
        }
        return (row, await LiveAsync(tenantId, row.Id));
    }

    /// <summary>The name is the row's; the cap and overflow list are the group grain's, which owns them (a field left out keeps its value).</summary>
    public async Task<(SkillGroupRow Row, SkillGroupSnapshot Live)> UpdateAsync(string tenantId, string id, string? name, int? receptionCap, IReadOnlyList<string>? overflowGroupIds, CancellationToken cancellationToken)
    {
        var row = await RequireAsync(tenantId, id, cancellationToken);
        var current = await LiveAsync(tenantId, id);
        await Tenant(tenantId).UpdateSkillGroup(id, receptionCap ?? current.ReceptionCap, overflowGroupIds ?? current.Settings.OverflowGroupIds);
        row.Name = name ?? row.Name;
        row.UpdatedAt = time.GetUtcNow().ToUnixTimeMilliseconds();
        await groups.UpdateAsync(row, cancellationToken);
        return (row, await LiveAsync(tenantId, id));
    }

    /// <summary>A group as its grain holds it: mode, cap, overflow list, members, queue.</summary>
    public async Task<SkillGroupSnapshot> LiveAsync(string tenantId, string id) => await grains.SkillGroup(tenantId, id).GetSnapshot();

    /// <summary>SG-5: members leave the group and stay agents. Refused (409) while conversations wait in its queue.</summary>
    public async Task DeleteAsync(string tenantId, string id, CancellationToken cancellationToken)
    {
        await RequireAsync(tenantId, id, cancellationToken);
        await Tenant(tenantId).DeleteSkillGroup(id);
        await groups.DeleteAsync(tenantId, id, time.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken);
    }

    /// <summary>SG-4: adds agents (of this tenant, not deleted); they can be offered the group's conversations at once.</summary>
    public async Task AddMembersAsync(string tenantId, string id, IReadOnlyList<string> agentIds, CancellationToken cancellationToken)
    {
        await RequireAsync(tenantId, id, cancellationToken);
        if (await agents.UnknownAsync(tenantId, agentIds, cancellationToken) is { Count: > 0 } missing) throw RequestValidationException.For("agentIds", $"names unknown agent(s): {string.Join(", ", missing)}");
        await groups.AddMembersAsync(tenantId, id, [.. agentIds.Distinct(StringComparer.Ordinal)], time.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken);
        foreach (var agentId in agentIds.Distinct(StringComparer.Ordinal)) await agents.JoinAsync(tenantId, id, agentId);
    }

    public async Task RemoveMemberAsync(string tenantId, string id, string agentId, CancellationToken cancellationToken)
    {
        await RequireAsync(tenantId, id, cancellationToken);
        var members = await groups.GroupsOfAsync(tenantId, [agentId], cancellationToken);
        if (!members[agentId].Contains(id)) throw new NotFoundException($"Member {agentId} of skill group {id}");
        // Routing first: if the row's removal fails, a retry finds the member and finishes.
        await agents.LeaveAsync(tenantId, id, agentId);
        await groups.RemoveMemberAsync(id, agentId, cancellationToken);
    }

    public async Task<SkillGroupRow> RequireAsync(string tenantId, string id, CancellationToken cancellationToken)
        => await groups.GetAsync(tenantId, id, cancellationToken) ?? throw new NotFoundException($"Skill group {id}");

    /// <summary>SG-1: the service modes as the API names them.</summary>
    public static readonly IReadOnlyDictionary<string, ServiceMode> Modes = new Dictionary<string, ServiceMode>(StringComparer.Ordinal)
    {
        ["online"] = ServiceMode.Online, ["phone"] = ServiceMode.Phone, ["omni"] = ServiceMode.Omni,
    };

    public static string ModeName(ServiceMode mode) => mode.ToString().ToLowerInvariant();

    public static ServiceMode ParseMode(string mode) => Enum.Parse<ServiceMode>(mode, ignoreCase: true);

    private ITenantGrain Tenant(string tenantId) => grains.Tenant(tenantId);
}
