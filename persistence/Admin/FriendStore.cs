using Dapper;

namespace Engine.Persistence.Admin;

/// <summary>A customer added as a friend of an agent through a marketing account (MK-8), as stored.</summary>
public sealed class FriendRow
{
    public string TenantId { get; set; } = "";
    public string AccountId { get; set; } = "";
    public string AgentId { get; set; } = "";

    /// <summary>The visitor id the engine knows the customer by (<see cref="ChannelVisitors.VisitorId"/>).</summary>
    public string CustomerId { get; set; } = "";
    public string ChannelId { get; set; } = "";
    public long AddedAt { get; set; }
}

/// <summary>MK-8: friends added, one row per account, agent and customer however often a gateway reports it.</summary>
public sealed class FriendStore(Database database)
{
    private const string Columns =
        "tenant_id AS TenantId, account_id AS AccountId, agent_id AS AgentId, customer_id AS CustomerId, channel_id AS ChannelId, added_at AS AddedAt";

    /// <summary>
    /// Records the friend unless the same account, agent and customer is on record already (a gateway's retry, also
    /// one racing the first). Returns the row on record, and whether this call wrote it.
    /// </summary>
    public async Task<(FriendRow Row, bool Added)> AddAsync(FriendRow friend, CancellationToken cancellationToken)
    {
        var added = await database.ChangeOneAsync(
            """
            INSERT INTO marketing_friends (tenant_id, account_id, agent_id, customer_id, channel_id, added_at)
            VALUES (@TenantId, @AccountId, @AgentId, @CustomerId, @ChannelId, @AddedAt)
            ON CONFLICT (tenant_id, account_id, agent_id, customer_id) DO NOTHING
            """, friend, cancellationToken).ConfigureAwait(false);
        if (added) return (friend, true);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var first = await connection.QuerySingleAsync<FriendRow>(new CommandDefinition(
            $"""
            SELECT {Columns} FROM marketing_friends
            WHERE tenant_id = @TenantId AND account_id = @AccountId AND agent_id = @AgentId AND customer_id = @CustomerId
            """, friend, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return (first, false);
    }

    /// <summary>The tenant's friends added from <paramref name="from"/> (included) to <paramref name="to"/> (excluded), Unix ms, optionally of one account or agent.</summary>
    public async Task<IReadOnlyList<FriendRow>> ListAsync(string tenantId, long from, long to, string? accountId, string? agentId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<FriendRow>(new CommandDefinition(
            $"""
            SELECT {Columns} FROM marketing_friends
            WHERE tenant_id = @tenantId AND added_at >= @from AND added_at < @to
              AND (@accountId IS NULL OR account_id = @accountId) AND (@agentId IS NULL OR agent_id = @agentId)
            ORDER BY added_at
            """, new { tenantId, from, to, accountId, agentId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows];
    }
}
