using System.Data.Common;
using Dapper;
using Engine.Flows;
using Engine.StateMachines;

namespace Engine.Persistence.Admin;

public sealed class FlowRow
{
    public string Id { get; set; } = "";
    public string TenantId { get; set; } = "";
    public string Name { get; set; } = "";
    public string Mode { get; set; } = "";
    public string Status { get; set; } = "";
    public int Version { get; set; }
    public string Definition { get; set; } = "";
    public long CreatedAt { get; set; }
    public long UpdatedAt { get; set; }

    public FlowStatus Lifecycle => Enum.Parse<FlowStatus>(Status, ignoreCase: true);
}

/// <summary>A channel bound to a flow, as a flow's listing shows it (FL-7).</summary>
public sealed record BoundChannel(string FlowId, string Id, string Name, string Kind);

/// <summary>What a status forbids (FL-6): a 409 that names the status the flow is in.</summary>
public sealed class FlowStatusException(string flowId, FlowStatus status, FlowTrigger action)
    : DomainException($"Flow {flowId} is {Names[status]}: {Reasons[action]} (FL-6).")
{
    public FlowStatus Status { get; } = status;

    private static readonly Dictionary<FlowStatus, string> Names = new()
    {
        [FlowStatus.Unpublished] = "Unpublished (未发布)",
        [FlowStatus.Published] = "Published (已发布)",
        [FlowStatus.InUse] = "InUse (使用中, bound to a channel)",
        [FlowStatus.Deleted] = "deleted",
    };

    private static readonly Dictionary<FlowTrigger, string> Reasons = new()
    {
        [FlowTrigger.Edit] = "only an Unpublished flow can be edited; unpublish it first",
        [FlowTrigger.Publish] = "only an Unpublished flow can be published",
        [FlowTrigger.Unpublish] = "only a Published flow can be unpublished; unbind its channels first",
        [FlowTrigger.Bind] = "only a Published flow can be bound to a channel (CH-2)",
        [FlowTrigger.UnbindLast] = "it is not bound to a channel",
        [FlowTrigger.Delete] = "only an Unpublished flow can be deleted",
    };
}

/// <summary>The flow changed between the check that preceded a step and the step (publishing a version validated before an edit).</summary>
public sealed class FlowChangedException(string flowId)
    : DomainException($"Flow {flowId} was changed meanwhile; look at it again and retry.");

/// <summary>
/// Service flows (FL-6, FL-7): a row with the current definition, name, mode and status, and every saved version.
/// Each change runs in one transaction under the tenant's lock, checks the status against the lifecycle, and writes
/// its audit record with it; channels bind and unbind flows through <see cref="TransitionAsync"/>.
/// </summary>
public sealed class FlowStore(Database database)
{
    private const string Columns =
        "id AS Id, tenant_id AS TenantId, name AS Name, mode AS Mode, status AS Status, version AS Version, definition AS Definition, created_at AS CreatedAt, updated_at AS UpdatedAt";

    private static readonly Dictionary<string, string> Unique = new(StringComparer.Ordinal) { ["ux_flows_tenant_name"] = "name", ["flows.name"] = "name" };

    public static string StatusName(FlowStatus status) => status switch
    {
        FlowStatus.InUse => "inUse",
        _ => status.ToString().ToLowerInvariant(),
    };

    /// <summary>A new flow, Unpublished or (save and publish) Published, with its first version.</summary>
    public Task InsertAsync(FlowRow flow, CancellationToken cancellationToken)
        => UniqueViolations.GuardAsync(database.Dialect, () => database.ChangeAsync(async (connection, transaction) =>
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO flows (id, tenant_id, name, mode, status, version, definition, created_at, updated_at) VALUES (@Id, @TenantId, @Name, @Mode, @Status, @Version, @Definition, @CreatedAt, @UpdatedAt)",
                flow, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            await SaveVersionAsync(connection, transaction, flow, cancellationToken).ConfigureAwait(false);
            return true;
        }, static done => done, flow.Id, cancellationToken), Unique);

    /// <summary>Saves an edit as a new version (FL-6: only an Unpublished flow), publishing it when asked.</summary>
    public Task<FlowRow> EditAsync(string tenantId, string id, string name, string definition, bool publish, int? expectedVersion, long now, CancellationToken cancellationToken)
        => UniqueViolations.GuardAsync(database.Dialect, () => ChangeAsync(tenantId, id, async (connection, transaction, flow) =>
        {
            Fire(flow, FlowTrigger.Edit);
            if (expectedVersion is { } expected && expected != flow.Version) throw new FlowChangedException(id);
            flow.Name = name;
            flow.Definition = definition;
            flow.Version++;
            flow.UpdatedAt = now;
            if (publish) flow.Status = StatusName(Fire(flow, FlowTrigger.Publish));
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE flows SET name = @Name, definition = @Definition, version = @Version, status = @Status, updated_at = @UpdatedAt WHERE tenant_id = @TenantId AND id = @Id",
                flow, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            await SaveVersionAsync(connection, transaction, flow, cancellationToken).ConfigureAwait(false);
            return flow;
        }, cancellationToken), Unique);

    /// <summary>
    /// A lifecycle step that leaves the definition alone (publish, unpublish, bind, unbind the last channel); refused
    /// naming the status when the lifecycle does not allow it, or when the flow moved past <paramref name="expectedVersion"/>.
    /// </summary>
    public Task<FlowRow> TransitionAsync(string tenantId, string id, FlowTrigger trigger, int? expectedVersion, long now, CancellationToken cancellationToken)
        => ChangeAsync(tenantId, id, (connection, transaction, flow) => TransitionAsync(connection, transaction, flow, trigger, expectedVersion, now, cancellationToken), cancellationToken);

    /// <summary>The same step inside another change's transaction (a channel binding its flow), the flow locked by it.</summary>
    public static async Task<FlowRow> TransitionAsync(DbConnection connection, DbTransaction transaction, FlowRow flow, FlowTrigger trigger, int? expectedVersion, long now, CancellationToken cancellationToken)
    {
        var to = Fire(flow, trigger);
        if (expectedVersion is { } expected && expected != flow.Version) throw new FlowChangedException(flow.Id);
        flow.Status = StatusName(to);
        flow.UpdatedAt = now;
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE flows SET status = @Status, updated_at = @UpdatedAt WHERE tenant_id = @TenantId AND id = @Id",
            flow, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return flow;
    }

    /// <summary>FL-6: an Unpublished flow goes for good; its saved versions stay for the conversations still running on them.</summary>
    public Task DeleteAsync(string tenantId, string id, CancellationToken cancellationToken)
        => ChangeAsync(tenantId, id, async (connection, transaction, flow) =>
        {
            Fire(flow, FlowTrigger.Delete);
            await connection.ExecuteAsync(new CommandDefinition(
                "DELETE FROM flows WHERE tenant_id = @TenantId AND id = @Id", flow, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            return flow;
        }, cancellationToken);

    public async Task<FlowRow?> GetAsync(string tenantId, string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await GetAsync(connection, null, tenantId, id, cancellationToken).ConfigureAwait(false);
    }

    public static Task<FlowRow?> GetAsync(DbConnection connection, DbTransaction? transaction, string tenantId, string id, CancellationToken cancellationToken)
        => connection.QuerySingleOrDefaultAsync<FlowRow>(new CommandDefinition(
            $"SELECT {Columns} FROM flows WHERE tenant_id = @tenantId AND id = @id", new { tenantId, id }, transaction, cancellationToken: cancellationToken));

    /// <summary>FL-7: the tenant's flows, newest change first, optionally of one mode or status, with the channels bound to each.</summary>
    public async Task<(Page<FlowRow> Page, ILookup<string, BoundChannel> Channels)> ListAsync(string tenantId, string? mode, string? status, int offset, int limit, CancellationToken cancellationToken)
    {
        const string where = "FROM flows WHERE tenant_id = @tenantId AND (@mode IS NULL OR mode = @mode) AND (@status IS NULL OR status = @status)";
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var args = new { tenantId, mode, status, offset, limit };
        var total = await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) " + where, args, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var rows = (await connection.QueryAsync<FlowRow>(new CommandDefinition(
            $"SELECT {Columns} {where} ORDER BY updated_at DESC, id LIMIT @limit OFFSET @offset", args, cancellationToken: cancellationToken)).ConfigureAwait(false)).ToList();
        var ids = rows.Select(r => r.Id).ToArray();
        var channels = ids.Length == 0 ? [] : await connection.QueryAsync<BoundChannel>(new CommandDefinition(
            $"SELECT flow_id AS FlowId, id AS Id, name AS Name, kind AS Kind FROM channels WHERE tenant_id = @tenantId AND {database.Dialect.In("flow_id", "ids")} ORDER BY created_at, id",
            new { tenantId, ids }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return (new Page<FlowRow>(rows, total, offset, limit), channels.ToLookup(c => c.FlowId));
    }

    /// <summary>The channels bound to one flow.</summary>
    public async Task<IReadOnlyList<BoundChannel>> ChannelsOfAsync(string tenantId, string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return [.. await connection.QueryAsync<BoundChannel>(new CommandDefinition(
            "SELECT flow_id AS FlowId, id AS Id, name AS Name, kind AS Kind FROM channels WHERE tenant_id = @tenantId AND flow_id = @id ORDER BY created_at, id",
            new { tenantId, id }, cancellationToken: cancellationToken)).ConfigureAwait(false)];
    }

    private async Task<FlowRow> ChangeAsync(string tenantId, string id, Func<DbConnection, DbTransaction, FlowRow, Task<FlowRow>> change, CancellationToken cancellationToken)
        => await database.ChangeAsync(async (connection, transaction) =>
        {
            await database.LockTenantAsync(connection, transaction, tenantId, cancellationToken).ConfigureAwait(false);
            var flow = await GetAsync(connection, transaction, tenantId, id, cancellationToken).ConfigureAwait(false)
                ?? throw new FlowNotFoundException(id);
            return await change(connection, transaction, flow).ConfigureAwait(false);
        }, static _ => true, id, cancellationToken).ConfigureAwait(false);

    private static FlowStatus Fire(FlowRow flow, FlowTrigger trigger)
    {
        var status = flow.Lifecycle;
        return FlowLifecycle.Machine.CanFire(status, trigger) ? FlowLifecycle.Machine.Fire(status, trigger) : throw new FlowStatusException(flow.Id, status, trigger);
    }

    private static Task SaveVersionAsync(DbConnection connection, DbTransaction transaction, FlowRow flow, CancellationToken cancellationToken)
        => connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO flow_versions (tenant_id, flow_id, version, definition, saved_at) VALUES (@TenantId, @Id, @Version, @Definition, @UpdatedAt)",
            flow, transaction, cancellationToken: cancellationToken));
}

/// <summary>No flow of this tenant has the id (a 404).</summary>
public sealed class FlowNotFoundException(string id) : Exception($"Flow {id} was not found.");

/// <summary>
/// The saved flow versions the flow runs read, from <c>flow_versions</c>. A version never changes once saved, so each
/// server keeps what it read (a few hundred versions at most per tenant, each a few KB).
/// </summary>
public sealed class StoredFlowVersions(Database database) : Engine.Grains.Routing.IFlowVersions
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Tenant, string FlowId, int Version), FlowDefinition> _read = new();

    public async ValueTask<FlowDefinition?> GetAsync(string tenant, string flowId, int version, CancellationToken cancellationToken)
    {
        // A marketing account's chat runs a flow made from the account as it stands (no versions, nothing kept).
        if (Engine.Marketing.AccountFlow.AccountOf(flowId) is { } account)
            return await StoredReceptionDesks.SettingsAsync(database, tenant, account, cancellationToken).ConfigureAwait(false) is { } settings
                ? Engine.Marketing.AccountFlow.Build(account, settings.Settings)
                : null;
        if (_read.TryGetValue((tenant, flowId, version), out var known)) return known;
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var json = await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
            "SELECT definition FROM flow_versions WHERE tenant_id = @tenant AND flow_id = @flowId AND version = @version",
            new { tenant, flowId, version }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (json is null) return null;
        var definition = FlowJson.ReadDefinition(json);
        _read.TryAdd((tenant, flowId, version), definition);
        return definition;
    }
}
