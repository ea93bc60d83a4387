using Dapper;
using Engine.Grains.Routing;
using Engine.Marketing;

namespace Engine.Persistence.Admin;

/// <summary>A marketing account's reception (MK-3..MK-5) as its chat runs read it: the account's settings and the tenant's time zone.</summary>
public sealed class StoredReceptionDesks(Database database) : IReceptionDesks
{
    public async ValueTask<ReceptionDesk?> GetAsync(string tenant, string accountId, CancellationToken cancellationToken)
    {
        if (await SettingsAsync(database, tenant, accountId, cancellationToken).ConfigureAwait(false) is not var (settings, zone)) return null;
        return new ReceptionDesk(new ReceptionHours(settings.Hours, TimeZoneInfo.FindSystemTimeZoneById(zone)), settings.Robot, settings.Prompts);
    }

    /// <summary>The account's settings and its tenant's time zone; null for an account that is gone.</summary>
    internal static async Task<(AccountSettings Settings, string Zone)?> SettingsAsync(Database database, string tenant, string accountId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<(string Settings, string Zone)?>(new CommandDefinition(
            "SELECT a.settings, t.time_zone FROM marketing_accounts a JOIN tenants t ON t.id = a.tenant_id WHERE a.tenant_id = @tenant AND a.id = @accountId",
            new { tenant, accountId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return row is var (json, zone) ? (AccountSettings.FromJson(json), zone) : null;
    }
}
