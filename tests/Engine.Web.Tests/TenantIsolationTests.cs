using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Engine.Web.Tests.Support;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Engine.Web.Tests;

/// <summary>
/// The tenant isolation matrix: every route under <c>/api/v1/tenants/{tenantId}</c>, read from the running
/// server's endpoints (a new route joins the matrix by itself), called by tenant A's admin and agent on
/// tenant B's real ids. Every call gets 403 or 404, no answer carries B's data, and B is unchanged.
/// </summary>
public sealed class TenantIsolationTests(EngineFactory factory) : IClassFixture<EngineFactory>
{
    private const string Secret = "b-secret";

    [Fact]
    public async Task Every_tenant_route_called_with_another_tenants_credentials_gets_403_or_404_and_leaks_and_changes_nothing()
    {
        using var a = await TestTenant.CreateAsync(factory);
        var (_, _, _, aAgentToken) = await a.AddAgentAsync();
        using var b = await TestTenant.CreateAsync(factory);
        var ids = await SeedAsync(b);
        var before = await SnapshotAsync(b, ids);

        var routes = TenantRoutes().ToList();
        Assert.True(routes.Count >= 40, $"only {routes.Count} tenant routes found");
        var failures = new List<string>();
        foreach (var (caller, token) in new[] { ("A's admin", a.AdminToken), ("A's agent", aAgentToken) })
        {
            using var api = ApiClient.Bearer(factory, token);
            foreach (var (method, pattern) in routes)
            {
                var path = Fill(pattern, ids);
                using var request = new HttpRequestMessage(new HttpMethod(method), path);
                if (method is "POST" or "PUT" or "PATCH") request.Content = Body(pattern);
                using var response = await api.Http.SendAsync(request);
                var body = await response.Content.ReadAsStringAsync();
                if (response.StatusCode is not (HttpStatusCode.Forbidden or HttpStatusCode.NotFound))
                    failures.Add($"{caller} {method} {path}: {(int)response.StatusCode} {body}");
                else if (body.Contains(Secret, StringComparison.Ordinal) || ids.Values.Where(v => v != ids["tenantId"]).Any(v => body.Contains(v, StringComparison.Ordinal)))
                    failures.Add($"{caller} {method} {path}: the answer carries tenant B's data: {body}");
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.Equal(before, await SnapshotAsync(b, ids));
    }

    /// <summary>Method and pattern of every endpoint under a tenant.</summary>
    private IEnumerable<(string Method, string Pattern)> TenantRoutes()
    {
        var endpoints = factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>();
        foreach (var endpoint in endpoints)
        {
            var pattern = "/" + endpoint.RoutePattern.RawText!.TrimStart('/');
            if (!pattern.StartsWith("/api/v1/tenants/{tenantId}", StringComparison.Ordinal)) continue;
            foreach (var method in endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? [])
                yield return (method, pattern);
        }
    }

    private static string Fill(string pattern, IReadOnlyDictionary<string, string> ids)
    {
        var path = pattern;
        foreach (var (name, value) in ids) path = path.Replace("{" + name + "}", value, StringComparison.Ordinal);
        Assert.False(path.Contains('{'), $"no id of tenant B for a parameter of {pattern}; add one to the matrix");
        return path;
    }

    /// <summary>A body that would do something if the route let the call through.</summary>
    private static HttpContent Body(string pattern)
    {
        var route = pattern.TrimEnd('/');
        if (route.EndsWith("/import", StringComparison.Ordinal) || route.EndsWith("/audio-files", StringComparison.Ordinal))
        {
            var form = new MultipartFormDataContent();
            var file = new ByteArrayContent(Encoding.UTF8.GetBytes("name,staffNo,email\nX,X1,x@x.test\n"));
            file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
            form.Add(file, "file", "x.csv");
            form.Add(new StringContent("x"), "name");
            return form;
        }
        return new StringContent("""{"name":"Hijacked"}""", Encoding.UTF8, "application/json");
    }

    private async Task<Dictionary<string, string>> SeedAsync(TestTenant b)
    {
        var group = await b.AddGroupAsync(name: Secret + "-group");
        var agent = await b.Admin.PostOkAsync($"{b.Base}/agents", new { name = Secret + " agent", staffNo = "S1", email = $"{Secret}-{Guid.NewGuid():N}@b.test", role = "agent", skillGroupIds = new[] { group } });
        var conversation = await b.Admin.PostOkAsync($"{b.Base}/conversations", new { skillGroupId = group, visitorId = Secret + "-visitor", mode = "online" });
        var reply = await b.Admin.PostOkAsync($"{b.Base}/quick-replies", new { title = Secret, body = Secret + " reply" });
        var pop = await b.Admin.PostOkAsync($"{b.Base}/screen-pops", new { name = "b pop", url = $"https://{Secret}.example/" });
        var form = new MultipartFormDataContent();
        form.Add(new ByteArrayContent([.. "RIFF"u8, 4, 0, 0, 0, .. "WAVE"u8]), "file", Secret + ".wav");
        form.Add(new StringContent(Secret + " audio"), "name");
        using var audio = await b.Admin.Http.PostAsync($"{b.Base}/audio-files", form);
        var audioId = (string)System.Text.Json.Nodes.JsonNode.Parse(await audio.Content.ReadAsStringAsync())!["id"]!;
        var token = await b.Admin.PostOkAsync($"{b.Base}/api-tokens", new { name = Secret + " token" });
        var flow = await b.Admin.PostOkAsync($"{b.Base}/flows", new
        {
            name = Secret + " flow", mode = "online",
            modules = new object[] { new { type = "start", id = "s", label = "S", next = "e" }, new { type = "end", id = "e", label = Secret } },
        });
        return new Dictionary<string, string>
        {
            ["tenantId"] = b.Id,
            ["agentId"] = (string)agent["agent"]!["id"]!,
            ["adminId"] = b.AdminId,
            ["groupId"] = group,
            ["conversationId"] = (string)conversation["id"]!,
            ["replyId"] = (string)reply["id"]!,
            ["popId"] = (string)pop["id"]!,
            ["audioId"] = audioId,
            ["tokenId"] = (string)token["id"]!,
            ["flowId"] = (string)flow["id"]!,
            ["channelId"] = (string)(await b.Admin.PostOkAsync($"{b.Base}/channels", new { kind = "website", name = "b site", domain = Secret + ".example.com" }))["channel"]!["id"]!,
            ["mode"] = "online",
            ["accountId"] = (string)(await b.Admin.PostOkAsync($"{b.Base}/marketing-accounts", new { name = Secret + "店" }))["id"]!,
            ["departmentId"] = (string)(await b.Admin.PostOkAsync($"{b.Base}/departments", new { name = Secret + " dept" }))["id"]!,
            ["phraseId"] = (string)(await b.Admin.PostOkAsync($"{b.Base}/faq", new { question = Secret + " 怎么退款", answer = Secret + " 在订单页申请" }))["id"]!,
        };
    }

    /// <summary>Everything of tenant B that the routes could read or change, as its admin sees it.</summary>
    private static async Task<string> SnapshotAsync(TestTenant b, IReadOnlyDictionary<string, string> ids)
    {
        var parts = new List<string>();
        foreach (var path in new[]
        {
            "", "/agents", "/admins", "/skill-groups", $"/skill-groups/{ids["groupId"]}/members", $"/skill-groups/{ids["groupId"]}/queue",
            $"/conversations/{ids["conversationId"]}", $"/conversations/{ids["conversationId"]}/messages", "/quick-replies", "/screen-pops",
            "/audio-files", "/settings/online", "/settings/phone", "/api-tokens", "/audit", "/flows", $"/flows/{ids["flowId"]}", "/channels",
            "/marketing-accounts", $"/marketing-accounts/{ids["accountId"]}/staff", "/departments", $"/departments/{ids["departmentId"]}/members", "/faq", "/phrases",
            "/records", $"/records/{ids["conversationId"]}", $"/records/{ids["conversationId"]}/messages",
        })
            parts.Add((await b.Admin.GetOkAsync(b.Base + path)).ToJsonString());
        return string.Join("\n", parts);
    }
}
