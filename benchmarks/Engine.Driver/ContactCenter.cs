using System.Text.Json.Nodes;

namespace Engine.Driver;

/// <summary>A tenant set up through the REST API: one online skill group, agents online in it, API tokens for the admin and each agent.</summary>
public sealed record ContactCenter(string TenantId, string GroupId, string AdminToken, IReadOnlyList<(string Id, string Token)> Agents)
{
    public const string OperatorEmail = "operator@crash.test";
    public const string OperatorPassword = "Operator#2026";

    /// <summary>Server settings the set-up relies on: the operator account, no demo tenant, quiet logs, sign-in unlimited.</summary>
    public static IReadOnlyDictionary<string, string> ServerSettings { get; } = new Dictionary<string, string>
    {
        ["Engine__Operator__Email"] = OperatorEmail,
        ["Engine__Operator__Password"] = OperatorPassword,
        ["Engine__Demo__Seed"] = "false",
        ["Engine__SignIn__PermitsPerMinute"] = "1000",
        ["Serilog__MinimumLevel__Default"] = "Warning",
    };

    public string Base => $"api/v1/tenants/{TenantId}";

    /// <summary>The staff number of the <paramref name="index"/>th agent of <see cref="Agents"/>.</summary>
    public static string StaffNo(int index) => $"S{index:D4}";

    public static async Task<ContactCenter> SetUpAsync(Uri server, int agents, int receptionCap, CancellationToken cancellationToken)
    {
        using var signedIn = new EngineClient(server);
        await signedIn.SignInAsync(OperatorEmail, OperatorPassword, null, cancellationToken).ConfigureAwait(false);
        var tenant = await signedIn.PostAsync("api/v1/tenants", null, new { name = "Crash", adminName = "Admin", adminEmail = "admin@crash.test" }, cancellationToken).ConfigureAwait(false);
        var tenantId = (string)tenant!["id"]!;
        using var admin = new EngineClient(server);
        await admin.SignInAsync("admin@crash.test", (string)tenant["initialPassword"]!, "Admin#2026pw", cancellationToken).ConfigureAwait(false);
        var adminToken = (string)(await admin.PostAsync($"api/v1/tenants/{tenantId}/api-tokens", null, new { name = "driver" }, cancellationToken).ConfigureAwait(false))!["token"]!;

        using var client = new EngineClient(server);
        var group = await client.PostAsync($"api/v1/tenants/{tenantId}/skill-groups", adminToken, new { name = "Crash", mode = "online", receptionCap }, cancellationToken).ConfigureAwait(false);
        var groupId = (string)group!["id"]!;
        var created = new (string Id, string Token)[agents];
        await Parallel.ForEachAsync(Enumerable.Range(0, agents), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            var agent = await client.PostAsync($"api/v1/tenants/{tenantId}/agents", adminToken,
                new { name = $"Agent {i}", staffNo = StaffNo(i), email = $"agent{i}@crash.test", role = "agent", skillGroupIds = new[] { groupId } }, ct).ConfigureAwait(false);
            var id = (string)agent!["agent"]!["id"]!;
            var token = (string)(await client.PostAsync($"api/v1/tenants/{tenantId}/api-tokens", adminToken, new { name = $"agent {i}", userId = id }, ct).ConfigureAwait(false))!["token"]!;
            await client.PutAsync($"api/v1/tenants/{tenantId}/me/presence", token, new { presence = "online" }, ct).ConfigureAwait(false);
            created[i] = (id, token);
        }).ConfigureAwait(false);
        return new ContactCenter(tenantId, groupId, adminToken, created);
    }

    /// <summary>Waits, polling every 50 ms up to <paramref name="timeout"/>, until <paramref name="done"/> holds.</summary>
    public static async Task<bool> EventuallyAsync(Func<Task<bool>> done, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        var until = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < until)
        {
            if (await done().ConfigureAwait(false)) return true;
            await tick.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false);
        }
        return await done().ConfigureAwait(false);
    }

    public static string? Text(JsonNode? node, string name) => (string?)node?[name];
}
