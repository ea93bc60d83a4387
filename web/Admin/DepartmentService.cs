using Engine.Marketing;
using Engine.Persistence.Admin;
using Engine.Web.Infrastructure;

namespace Engine.Web.Admin;

/// <summary>
/// MK-2 departments: the tree's rules (<see cref="DepartmentTree"/>), the rows, and the accounts' staff, which follow
/// every change of who is in a department at once.
/// </summary>
public sealed class DepartmentService(DepartmentStore departments, AgentService agents, MarketingService marketing, TimeProvider time)
{
    public async Task<DepartmentRow> CreateAsync(string tenantId, string name, string? parentId, CancellationToken cancellationToken)
    {
        if (parentId is not null) await CheckPlaceAsync(tenantId, null, parentId, cancellationToken);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var row = new DepartmentRow { Id = Ids.New(), Name = name, ParentId = parentId, CreatedAt = now, UpdatedAt = now };
        if (!await departments.InsertAsync(tenantId, row, cancellationToken))
            throw RequestValidationException.For("name", $"cannot be added: a tenant has at most {DepartmentStore.MaxPerTenant} departments");
        return row;
    }

    /// <summary>Renames or moves a department; a move reaches the staff of the accounts above its old and new places.</summary>
    public async Task<DepartmentRow> ChangeAsync(DepartmentRow row, string tenantId, string name, string? parentId, CancellationToken cancellationToken)
    {
        if (parentId is not null && parentId != row.ParentId) await CheckPlaceAsync(tenantId, row.Id, parentId, cancellationToken);
        await departments.UpdateAsync(tenantId, row.Id, name, parentId, time.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken);
        if (parentId != row.ParentId) await marketing.SyncDepartmentAsync(tenantId, null, cancellationToken);
        return (await departments.GetAsync(tenantId, row.Id, cancellationToken))!;
    }

    /// <summary>Refused while it has sub-departments; its members leave the accounts it brought them to.</summary>
    public async Task DeleteAsync(string tenantId, string id, CancellationToken cancellationToken)
    {
        await RequireAsync(tenantId, id, cancellationToken);
        if (!await departments.DeleteAsync(tenantId, id, cancellationToken))
            throw new Engine.StateMachines.DomainException($"Department {id} has sub-departments; move or delete them first.");
        await marketing.SyncDepartmentAsync(tenantId, null, cancellationToken);
    }

    /// <summary>Adds agents; refused when that would take an account naming the department past 200 people (MK-2).</summary>
    public async Task AddMembersAsync(string tenantId, string id, IReadOnlyList<string> agentIds, CancellationToken cancellationToken)
    {
        await RequireAsync(tenantId, id, cancellationToken);
        if (await agents.UnknownAsync(tenantId, agentIds, cancellationToken) is { Count: > 0 } unknown)
            throw RequestValidationException.For("agentIds", $"names unknown agent(s): {string.Join(", ", unknown)}");
        if ((await marketing.OverStaffedAsync(tenantId, id, agentIds, cancellationToken)).FirstOrDefault() is { AccountId: { } account } over)
            throw RequestValidationException.For("agentIds", $"would give marketing account {account} {over.People} people; an account's staff is at most {MarketingService.MaxStaff} (MK-2)");
        await departments.AddMembersAsync(tenantId, id, agentIds, time.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken);
        await marketing.SyncDepartmentAsync(tenantId, id, cancellationToken);
    }

    public async Task RemoveMemberAsync(string tenantId, string id, string agentId, CancellationToken cancellationToken)
    {
        await RequireAsync(tenantId, id, cancellationToken);
        if (!await departments.RemoveMemberAsync(tenantId, id, agentId, cancellationToken)) throw new NotFoundException($"Member {agentId} of department {id}");
        await marketing.SyncDepartmentAsync(tenantId, id, cancellationToken);
    }

    public async Task<DepartmentRow> RequireAsync(string tenantId, string id, CancellationToken cancellationToken)
        => await departments.GetAsync(tenantId, id, cancellationToken) ?? throw new NotFoundException($"Department {id}");

    private async Task CheckPlaceAsync(string tenantId, string? moving, string parentId, CancellationToken cancellationToken)
    {
        var parents = (await departments.ListAsync(tenantId, cancellationToken)).ToDictionary(d => d.Id, d => d.ParentId, StringComparer.Ordinal);
        if (DepartmentTree.PlaceProblem(parents, moving, parentId, DepartmentStore.MaxDepth) is { } problem) throw RequestValidationException.For("parentId", problem);
    }
}
