using Dapper;
using Engine.Grains.Routing;

namespace Engine.Persistence.Admin;

/// <summary>Agents as their customers see them, read from the users table when an agent answers a flow's conversation.</summary>
public sealed class StoredAgentDirectory(Database database) : IAgentDirectory
{
    public async ValueTask<AgentCard?> FindAsync(string tenant, string agentId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var card = await connection.QuerySingleOrDefaultAsync<(string Nickname, string StaffNo)?>(new CommandDefinition(
            "SELECT nickname, staff_no FROM users WHERE tenant_id = @tenant AND id = @agentId", new { tenant, agentId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return card is { } found ? new AgentCard(agentId, found.Nickname, found.StaffNo) : null;
    }
}
