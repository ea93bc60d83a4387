using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Engine.Driver;

namespace Engine.Benchmarks.EndToEnd;

/// <summary>One agent of the tenant the run made: its id, its API token (the workbench's credential) and its skill group.</summary>
internal sealed record E2eAgent(int Index, string Id, string Token, int Group);

/// <summary>
/// A tenant made for one run through the REST API, as a customer would set one up: online skill groups, agents in them
/// (each with an API token), and per group a published flow (Start, then Transfer to the group) bound to a website
/// channel, whose key the web chat visitors connect with. <see cref="Run"/> names this run in every email and visitor id.
/// </summary>
internal sealed record E2eTenant(string Run, string TenantId, IReadOnlyList<string> GroupIds, IReadOnlyList<string> ChannelKeys, IReadOnlyList<E2eAgent> Agents)
{
    /// <summary>The domain of the website channels; the harness sends no <c>Origin</c>, so it is never checked.</summary>
    public const string Domain = "e2e.example.com";

    /// <summary>How many agents one import file carries: the server reads a file in one request, hashing each initial password.</summary>
    private const int ImportChunk = 100;

    /// <summary>Import files in flight: each is read, and its initial passwords hashed, on one server thread.</summary>
    private const int ImportParallelism = 4;

    /// <summary>Other set-up requests in flight (API tokens), each a short write.</summary>
    private const int SetUpParallelism = 8;

    public static async Task<E2eTenant> SetUpAsync(Uri server, string operatorEmail, string operatorPassword, int agents, int groups, int cap, Action<string> progress, CancellationToken cancellationToken)
    {
        var run = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        using var op = new EngineClient(server);
        await SignInOperatorAsync(op, operatorEmail, operatorPassword, cancellationToken).ConfigureAwait(false);
        var adminEmail = $"admin-{run}@e2e.test";
        var tenant = await op.PostAsync("api/v1/tenants", null, new { name = $"E2E {run}", adminName = "E2E admin", adminEmail }, cancellationToken).ConfigureAwait(false);
        var tenantId = Text(tenant, "id");
        var tenantBase = $"api/v1/tenants/{tenantId}";

        using var admin = new EngineClient(server);
        await admin.SignInAsync(adminEmail, Text(tenant, "initialPassword"), NewPassword(), cancellationToken).ConfigureAwait(false);
        var adminToken = Text(await admin.PostAsync($"{tenantBase}/api-tokens", null, new { name = "e2e harness" }, cancellationToken).ConfigureAwait(false), "token");

        using var api = new EngineClient(server, SetUpParallelism * 2);
        var groupIds = new string[groups];
        for (var g = 0; g < groups; g++)
        {
            var group = await api.PostAsync($"{tenantBase}/skill-groups", adminToken, new { name = $"E2E {g}", mode = "online", receptionCap = cap }, cancellationToken).ConfigureAwait(false);
            groupIds[g] = Text(group, "id");
        }

        var step = Stopwatch.GetTimestamp();
        var agentIds = await ImportAgentsAsync(server, tenantBase, adminToken, run, agents, groupIds, cancellationToken).ConfigureAwait(false);
        progress($"{agents} agents imported in {Stopwatch.GetElapsedTime(step).TotalSeconds:0.0} s");
        step = Stopwatch.GetTimestamp();
        var created = new E2eAgent[agents];
        await Parallel.ForEachAsync(Enumerable.Range(0, agents), new ParallelOptions { MaxDegreeOfParallelism = SetUpParallelism, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            var token = await api.PostAsync($"{tenantBase}/api-tokens", adminToken, new { name = $"e2e agent {i}", userId = agentIds[i] }, ct).ConfigureAwait(false);
            created[i] = new E2eAgent(i, agentIds[i], Text(token, "token"), GroupOf(i, groups));
        }).ConfigureAwait(false);
        progress($"{agents} API tokens made in {Stopwatch.GetElapsedTime(step).TotalSeconds:0.0} s");

        var channelKeys = new string[groups];
        for (var g = 0; g < groups; g++)
        {
            var flow = await api.PostAsync($"{tenantBase}/flows", adminToken, TransferFlow($"E2E {g}", groupIds[g]), cancellationToken).ConfigureAwait(false);
            var channel = await api.PostAsync($"{tenantBase}/channels", adminToken,
                new { kind = "website", name = $"E2E {g}", domain = Domain, flowId = Text(flow, "id") }, cancellationToken).ConfigureAwait(false);
            channelKeys[g] = (string?)channel?["channel"]?["channelKey"] ?? throw new InvalidOperationException("The channel was created without a channel key.");
        }
        return new E2eTenant(run, tenantId, groupIds, channelKeys, created);
    }

    /// <summary>The group of the <paramref name="index"/>th agent or visitor: round robin, so that every group gets its share.</summary>
    public static int GroupOf(int index, int groups) => index % groups;

    /// <summary>
    /// Signs the operator in. An operator made from configuration has no initial password; should the server still ask
    /// for a change (TN-3), the password is changed to a temporary one and back, so that the environment stays right.
    /// </summary>
    private static async Task SignInOperatorAsync(EngineClient op, string email, string password, CancellationToken cancellationToken)
    {
        try
        {
            await op.SignInAsync(email, password, null, cancellationToken).ConfigureAwait(false);
            return;
        }
        catch (InvalidOperationException)
        {
            // The password is an initial one (SignInAsync refuses without a new password): change it, then back.
        }
        var temporary = NewPassword();
        await op.SignInAsync(email, password, temporary, cancellationToken).ConfigureAwait(false);
        await op.PostAsync("api/v1/me/password", null, new { currentPassword = temporary, newPassword = password }, cancellationToken).ConfigureAwait(false);
        // The change started a new session: sign in again for its CSRF token.
        await op.SignInAsync(email, password, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The agents through the batch import (AG-4), a file of <see cref="ImportChunk"/> rows per request; returns their ids in order.</summary>
    private static async Task<string[]> ImportAgentsAsync(Uri server, string tenantBase, string adminToken, string run, int agents, string[] groupIds, CancellationToken cancellationToken)
    {
        var ids = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        using var http = new HttpClient { BaseAddress = server, Timeout = TimeSpan.FromMinutes(5) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
        var chunks = Enumerable.Range(0, (agents + ImportChunk - 1) / ImportChunk);
        await Parallel.ForEachAsync(chunks, new ParallelOptions { MaxDegreeOfParallelism = ImportParallelism, CancellationToken = cancellationToken }, async (chunk, ct) =>
        {
            var csv = new StringBuilder("name,staffNo,email,role,skillGroups\n");
            for (var i = chunk * ImportChunk; i < Math.Min(agents, (chunk + 1) * ImportChunk); i++)
                csv.Append(CultureInfo.InvariantCulture, $"E2E agent {i},E{i:D5},{AgentEmail(run, i)},agent,{groupIds[GroupOf(i, groupIds.Length)]}\n");
            using var form = new MultipartFormDataContent();
            var file = new ByteArrayContent(Encoding.UTF8.GetBytes(csv.ToString()));
            file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
            form.Add(file, "file", "agents.csv");
            using var response = await http.PostAsync($"{tenantBase}/agents/import", form, ct).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode) throw new EngineApiException(response.StatusCode, body);
            var result = JsonNode.Parse(body)!;
            if (result["errors"]?.AsArray() is { Count: > 0 } errors) throw new InvalidOperationException($"The agent import refused rows: {errors.ToJsonString()}");
            foreach (var added in result["added"]!.AsArray()) ids[Text(added, "email")] = Text(added, "id");
        }).ConfigureAwait(false);
        return [.. Enumerable.Range(0, agents).Select(i => ids.TryGetValue(AgentEmail(run, i), out var id) ? id : throw new InvalidOperationException($"Agent {i} was not imported."))];
    }

    /// <summary>The simplest online flow that hands the customer to a group at once: Start, Transfer, End; saved and published.</summary>
    private static JsonObject TransferFlow(string name, string groupId) => new()
    {
        ["name"] = name,
        ["mode"] = "online",
        ["publish"] = true,
        ["modules"] = new JsonArray(
            new JsonObject { ["type"] = "start", ["id"] = "start", ["label"] = "Start", ["next"] = "transfer" },
            new JsonObject { ["type"] = "transfer", ["id"] = "transfer", ["label"] = "Transfer", ["skillGroupId"] = groupId, ["next"] = "end" },
            new JsonObject { ["type"] = "end", ["id"] = "end", ["label"] = "End" }),
    };

    private static string AgentEmail(string run, int index) => $"agent{index}-{run}@e2e.test";

    /// <summary>A password that meets TN-4: 8–20 characters with a letter, a digit and a special character.</summary>
    private static string NewPassword() => "E2e#" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(5)) + "7";

    private static string Text(JsonNode? node, string name)
        => (string?)node?[name] ?? throw new InvalidOperationException($"The server's answer has no '{name}': {node?.ToJsonString()}");
}
