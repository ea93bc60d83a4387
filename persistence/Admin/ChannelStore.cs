using System.Data.Common;
using Dapper;
using Engine.Flows;

namespace Engine.Persistence.Admin;

public sealed class ChannelRow
{
    public string Id { get; set; } = "";
    public string TenantId { get; set; } = "";
    public string Kind { get; set; } = "";
    public string Name { get; set; } = "";
    public string Mode { get; set; } = "";

    /// <summary>The kind's settings as JSON (a mini program's secret encrypted).</summary>
    public string Settings { get; set; } = "{}";
    public string? FlowId { get; set; }
    public string? FlowName { get; set; }
    public string ChannelKey { get; set; } = "";
    public string TokenHash { get; set; } = "";
    public string? WebhookUrl { get; set; }

    /// <summary>The webhook's signing secret, encrypted.</summary>
    public string? WebhookSecret { get; set; }
    public long CreatedAt { get; set; }
    public long UpdatedAt { get; set; }
}

/// <summary>A channel's flow must be of the channel's mode (CH-2): a 409 naming both.</summary>
public sealed class FlowModeMismatchException(string flowId, string flowMode, string channelMode)
    : Engine.StateMachines.DomainException($"Flow {flowId} is a {flowMode} flow; this channel serves {channelMode} conversations and binds only a flow of its mode (CH-2).");

/// <summary>No channel of this tenant has the id (a 404).</summary>
public sealed class ChannelNotFoundException(string id) : Exception($"Channel {id} was not found.");

/// <summary>
/// Channels (CH-1..CH-3) and the flows bound to them. Binding, changing and unbinding a flow run in the channel's
/// transaction under the tenant's lock, with the flow's lifecycle step (FL-6: a bound flow is InUse; when its last
/// channel lets it go it is Published again) and the audit record.
/// </summary>
public sealed class ChannelStore(Database database)
{
    private const string Columns =
        "c.id AS Id, c.tenant_id AS TenantId, c.kind AS Kind, c.name AS Name, c.mode AS Mode, c.settings AS Settings, c.flow_id AS FlowId, f.name AS FlowName, " +
        "c.channel_key AS ChannelKey, c.token_hash AS TokenHash, c.webhook_url AS WebhookUrl, c.webhook_secret AS WebhookSecret, c.created_at AS CreatedAt, c.updated_at AS UpdatedAt";

    private const string From = "FROM channels c LEFT JOIN flows f ON f.tenant_id = c.tenant_id AND f.id = c.flow_id";

    private static readonly Dictionary<string, string> Unique = new(StringComparer.Ordinal) { ["channel_key"] = "channelKey" };

    /// <summary>A new channel, bound to its flow when it names one.</summary>
    public Task InsertAsync(ChannelRow channel, CancellationToken cancellationToken)
        => UniqueViolations.GuardAsync(database.Dialect, () => database.ChangeAsync(async (connection, transaction) =>
        {
            await database.LockTenantAsync(connection, transaction, channel.TenantId, cancellationToken).ConfigureAwait(false);
            if (channel.FlowId is { } flowId) await BindAsync(connection, transaction, channel, flowId, channel.UpdatedAt, cancellationToken).ConfigureAwait(false);
            await connection.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO channels (id, tenant_id, kind, name, mode, settings, flow_id, channel_key, token_hash, webhook_url, webhook_secret, created_at, updated_at)
                VALUES (@Id, @TenantId, @Kind, @Name, @Mode, @Settings, @FlowId, @ChannelKey, @TokenHash, @WebhookUrl, @WebhookSecret, @CreatedAt, @UpdatedAt)
                """, channel, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            return true;
        }, static done => done, channel.Id, cancellationToken), Unique);

    /// <summary>Name, settings and webhook; the kind, mode and key never change.</summary>
    public Task<ChannelRow> UpdateAsync(string tenantId, string id, Action<ChannelRow> change, long now, CancellationToken cancellationToken)
        => ChangeAsync(tenantId, id, async (connection, transaction, channel) =>
        {
            change(channel);
            channel.UpdatedAt = now;
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE channels SET name = @Name, settings = @Settings, token_hash = @TokenHash, webhook_url = @WebhookUrl, webhook_secret = @WebhookSecret, updated_at = @UpdatedAt WHERE tenant_id = @TenantId AND id = @Id",
                channel, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            return (channel, true);
        }, cancellationToken);

    /// <summary>CH-2: binds <paramref name="flowId"/> (a Published or InUse flow of the channel's mode), or unbinds with null; takes effect at once.</summary>
    public Task<ChannelRow> SetFlowAsync(string tenantId, string id, string? flowId, long now, CancellationToken cancellationToken)
        => ChangeAsync(tenantId, id, async (connection, transaction, channel) =>
        {
            if (channel.FlowId == flowId) return (channel, false);
            if (channel.FlowId is { } previous) await UnbindAsync(connection, transaction, channel, previous, now, cancellationToken).ConfigureAwait(false);
            if (flowId is not null) await BindAsync(connection, transaction, channel, flowId, now, cancellationToken).ConfigureAwait(false);
            channel.FlowId = flowId;
            channel.UpdatedAt = now;
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE channels SET flow_id = @FlowId, updated_at = @UpdatedAt WHERE tenant_id = @TenantId AND id = @Id", channel, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            return (channel, true);
        }, cancellationToken);

    /// <summary>The channel goes; its flow, when it was the last channel of it, is Published again.</summary>
    public Task DeleteAsync(string tenantId, string id, long now, CancellationToken cancellationToken)
        => ChangeAsync(tenantId, id, async (connection, transaction, channel) =>
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "DELETE FROM channels WHERE tenant_id = @TenantId AND id = @Id", channel, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            if (channel.FlowId is { } flowId) await UnbindAsync(connection, transaction, channel, flowId, now, cancellationToken).ConfigureAwait(false);
            return (channel, true);
        }, cancellationToken);

    public async Task<ChannelRow?> GetAsync(string tenantId, string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await GetAsync(connection, null, tenantId, id, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The channel the inbound adapter API knows by <paramref name="channelKey"/>.</summary>
    public async Task<ChannelRow?> FindByKeyAsync(string channelKey, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.QuerySingleOrDefaultAsync<ChannelRow>(new CommandDefinition(
            $"SELECT {Columns} {From} WHERE c.channel_key = @channelKey", new { channelKey }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    public async Task<Page<ChannelRow>> ListAsync(string tenantId, string? kind, int offset, int limit, CancellationToken cancellationToken)
    {
        // A marketing account's own chat channel is the account's, not listed here (MK-6).
        const string where = "WHERE c.tenant_id = @tenantId AND c.kind <> 'marketing' AND (@kind IS NULL OR c.kind = @kind)";
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var args = new { tenantId, kind, offset, limit };
        var total = await connection.ExecuteScalarAsync<long>(new CommandDefinition($"SELECT COUNT(*) FROM channels c {where}", args, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var rows = await connection.QueryAsync<ChannelRow>(new CommandDefinition(
            $"SELECT {Columns} {From} {where} ORDER BY c.created_at, c.id LIMIT @limit OFFSET @offset", args, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return new Page<ChannelRow>([.. rows], total, offset, limit);
    }

    private static Task<ChannelRow?> GetAsync(DbConnection connection, DbTransaction? transaction, string tenantId, string id, CancellationToken cancellationToken)
        => connection.QuerySingleOrDefaultAsync<ChannelRow>(new CommandDefinition(
            $"SELECT {Columns} {From} WHERE c.tenant_id = @tenantId AND c.id = @id AND c.kind <> 'marketing'", new { tenantId, id }, transaction, cancellationToken: cancellationToken));

    private static async Task BindAsync(DbConnection connection, DbTransaction transaction, ChannelRow channel, string flowId, long now, CancellationToken cancellationToken)
    {
        var flow = await FlowStore.GetAsync(connection, transaction, channel.TenantId, flowId, cancellationToken).ConfigureAwait(false)
            ?? throw new FlowNotFoundException(flowId);
        if (flow.Mode != channel.Mode) throw new FlowModeMismatchException(flowId, flow.Mode, channel.Mode);
        await FlowStore.TransitionAsync(connection, transaction, flow, FlowTrigger.Bind, null, now, cancellationToken).ConfigureAwait(false);
    }

    private static async Task UnbindAsync(DbConnection connection, DbTransaction transaction, ChannelRow channel, string flowId, long now, CancellationToken cancellationToken)
    {
        var others = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM channels WHERE tenant_id = @TenantId AND flow_id = @flowId AND id <> @Id",
            new { channel.TenantId, flowId, channel.Id }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (others > 0) return;
        if (await FlowStore.GetAsync(connection, transaction, channel.TenantId, flowId, cancellationToken).ConfigureAwait(false) is { } flow)
            await FlowStore.TransitionAsync(connection, transaction, flow, FlowTrigger.UnbindLast, null, now, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A change of one channel under the tenant's lock; committed with its audit record when it changed something.</summary>
    private async Task<ChannelRow> ChangeAsync(string tenantId, string id, Func<DbConnection, DbTransaction, ChannelRow, Task<(ChannelRow Channel, bool Changed)>> change, CancellationToken cancellationToken)
        => (await database.ChangeAsync(async (connection, transaction) =>
        {
            await database.LockTenantAsync(connection, transaction, tenantId, cancellationToken).ConfigureAwait(false);
            var channel = await GetAsync(connection, transaction, tenantId, id, cancellationToken).ConfigureAwait(false) ?? throw new ChannelNotFoundException(id);
            return await change(connection, transaction, channel).ConfigureAwait(false);
        }, static result => result.Changed, id, cancellationToken).ConfigureAwait(false)).Channel;
}

/// <summary>
/// A channel's customer as a visitor of the engine: the channel and the customer id the gateway or the browser gave
/// (<c>channelId:customerId</c>), so that RT-3 remembers the last agent per channel.
/// </summary>
public static class ChannelVisitors
{
    public static string VisitorId(string channelId, string customerId) => channelId + ":" + customerId;

    /// <summary>The customer id back from a visitor id of the channel (the visitor id itself for any other).</summary>
    public static string CustomerId(string channelId, string visitorId)
        => visitorId.StartsWith(channelId + ":", StringComparison.Ordinal) ? visitorId[(channelId.Length + 1)..] : visitorId;
}
