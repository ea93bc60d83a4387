using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Dapper;
using Engine.Persistence;
using Engine.Web.Infrastructure;
using Engine.Web.Tests.Support;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Engine.Web.Tests;

/// <summary>
/// The audit trail: every route that changes something is either audited or says why not, read from the running
/// server's endpoints (a new route joins the check by itself); each audited route, called for real, leaves its
/// record with who, how, what and which fields, and never a password or a secret; the record and its change are
/// written together or not at all. The same contract on SQLite and on PostgreSQL.
/// </summary>
public abstract class AuditTrailContract(EngineFactory factory)
{
    private sealed class Run(TestTenant tenant, ApiClient op, ApiClient agent, ApiClient adminBearer)
    {
        public TestTenant Tenant { get; } = tenant;
        public ApiClient AdminBearer { get; } = adminBearer;
        public ApiClient Operator { get; } = op;
        public ApiClient Agent { get; } = agent;
        public Dictionary<string, string> Ids { get; } = [];
        public List<string> Secrets { get; } = [];
    }

    /// <summary>One call of an audited route: who makes it, how, and the id its record must name (null: any).</summary>
    private sealed record Step(string Method, string Pattern, Func<Run, Task<HttpResponseMessage>> Send, Func<Run, string> Target, Func<Run, string> Actor);

    private static Step Admin(string method, string pattern, Func<Run, string> path, Func<Run, object?>? body, Func<Run, string> target)
        => new(method, pattern, run => run.Tenant.Admin.SendAsync(new HttpMethod(method), path(run), body?.Invoke(run)), target, run => run.Tenant.AdminId);

    private static readonly Step[] Steps =
    [
        new("POST", "/api/v1/tenants", run => run.Operator.PostAsync("/api/v1/tenants", new { name = "Audited", adminName = "Second", adminEmail = $"second-{Guid.NewGuid():N}@audit.test" }),
            run => run.Ids["newTenantId"], run => run.Ids["operatorId"]),
        Admin("PATCH", "/api/v1/tenants/{tenantId}", run => run.Tenant.Base, _ => new { name = "Renamed" }, run => run.Tenant.Id),
        Admin("POST", "/api/v1/tenants/{tenantId}/skill-groups", run => $"{run.Tenant.Base}/skill-groups", _ => new { name = "Audit group", mode = "online", receptionCap = 2 }, run => run.Ids["groupId"]),
        Admin("PATCH", "/api/v1/tenants/{tenantId}/skill-groups/{groupId}", run => $"{run.Tenant.Base}/skill-groups/{run.Ids["groupId"]}", _ => new { receptionCap = 3 }, run => run.Ids["groupId"]),
        Admin("POST", "/api/v1/tenants/{tenantId}/agents", run => $"{run.Tenant.Base}/agents",
            run => new { name = "Audit agent", staffNo = "AU1", email = $"au1-{run.Tenant.Id}@audit.test", role = "agent", skillGroupIds = new[] { run.Ids["groupId"] } }, run => run.Ids["newAgentId"]),
        Admin("PATCH", "/api/v1/tenants/{tenantId}/agents/{agentId}", run => $"{run.Tenant.Base}/agents/{run.Ids["newAgentId"]}", _ => new { nickname = "Nick" }, run => run.Ids["newAgentId"]),
        Admin("POST", "/api/v1/tenants/{tenantId}/agents/{agentId}/reset-password", run => $"{run.Tenant.Base}/agents/{run.Ids["newAgentId"]}/reset-password", null, run => run.Ids["newAgentId"]),
        new("POST", "/api/v1/tenants/{tenantId}/agents/import", run => run.Tenant.Admin.Http.PostAsync($"{run.Tenant.Base}/agents/import", Csv($"name,staffNo,email\nImported,AU2,au2-{run.Tenant.Id}@audit.test\n")),
            run => run.Ids["importedId"], run => run.Tenant.AdminId),
        Admin("POST", "/api/v1/tenants/{tenantId}/skill-groups/{groupId}/members", run => $"{run.Tenant.Base}/skill-groups/{run.Ids["groupId"]}/members",
            run => new { agentIds = new[] { run.Ids["importedId"] } }, run => run.Ids["groupId"]),
        Admin("DELETE", "/api/v1/tenants/{tenantId}/skill-groups/{groupId}/members/{agentId}", run => $"{run.Tenant.Base}/skill-groups/{run.Ids["groupId"]}/members/{run.Ids["importedId"]}",
            null, run => run.Ids["groupId"]),
        Admin("PUT", "/api/v1/tenants/{tenantId}/settings/{mode}", run => $"{run.Tenant.Base}/settings/online", _ => new { timeoutTransfer = true, timeoutTransferSeconds = 40 }, _ => "online"),
        Admin("POST", "/api/v1/tenants/{tenantId}/quick-replies", run => $"{run.Tenant.Base}/quick-replies", _ => new { title = "Hello", body = "Hello there" }, run => run.Ids["replyId"]),
        Admin("PUT", "/api/v1/tenants/{tenantId}/quick-replies/{replyId}", run => $"{run.Tenant.Base}/quick-replies/{run.Ids["replyId"]}", _ => new { title = "Hi", body = "Hi there" }, run => run.Ids["replyId"]),
        Admin("DELETE", "/api/v1/tenants/{tenantId}/quick-replies/{replyId}", run => $"{run.Tenant.Base}/quick-replies/{run.Ids["replyId"]}", null, run => run.Ids["replyId"]),
        Admin("POST", "/api/v1/tenants/{tenantId}/screen-pops", run => $"{run.Tenant.Base}/screen-pops", _ => new { name = "CRM", url = "https://crm.example/?c={customerId}" }, run => run.Ids["popId"]),
        Admin("PUT", "/api/v1/tenants/{tenantId}/screen-pops/{popId}", run => $"{run.Tenant.Base}/screen-pops/{run.Ids["popId"]}", _ => new { name = "CRM 2", url = "https://crm.example/2", enabled = true }, run => run.Ids["popId"]),
        Admin("POST", "/api/v1/tenants/{tenantId}/screen-pops/{popId}/move", run => $"{run.Tenant.Base}/screen-pops/{run.Ids["popId"]}/move", _ => new { direction = "up" }, run => run.Ids["popId"]),
        Admin("DELETE", "/api/v1/tenants/{tenantId}/screen-pops/{popId}", run => $"{run.Tenant.Base}/screen-pops/{run.Ids["popId"]}", null, run => run.Ids["popId"]),
        new("POST", "/api/v1/tenants/{tenantId}/audio-files", run => run.Tenant.Admin.Http.PostAsync($"{run.Tenant.Base}/audio-files", Wav()), run => run.Ids["audioId"], run => run.Tenant.AdminId),
        Admin("POST", "/api/v1/tenants/{tenantId}/audio-files/{audioId}/review", run => $"{run.Tenant.Base}/audio-files/{run.Ids["audioId"]}/review", _ => new { decision = "approve" }, run => run.Ids["audioId"]),
        Admin("DELETE", "/api/v1/tenants/{tenantId}/audio-files/{audioId}", run => $"{run.Tenant.Base}/audio-files/{run.Ids["audioId"]}", null, run => run.Ids["audioId"]),
        Admin("POST", "/api/v1/tenants/{tenantId}/api-tokens", run => $"{run.Tenant.Base}/api-tokens", run => new { name = "for the agent", userId = run.Ids["agentId"] }, run => run.Ids["tokenId"]),
        new("DELETE", "/api/v1/tenants/{tenantId}/me/api-tokens/{tokenId}", run => run.Agent.SendAsync(HttpMethod.Delete, $"{run.Tenant.Base}/me/api-tokens/{run.Ids["tokenId"]}"),
            run => run.Ids["tokenId"], run => run.Ids["agentId"]),
        new("DELETE", "/api/v1/tenants/{tenantId}/api-tokens/{tokenId}", run => run.AdminBearer.SendAsync(HttpMethod.Delete, $"{run.Tenant.Base}/api-tokens/{run.Ids["ownTokenId"]}"),
            run => run.Ids["ownTokenId"], run => run.Tenant.AdminId),
        new("POST", "/api/v1/me/password", run => run.Agent.PostAsync("/api/v1/me/password", new { currentPassword = run.Ids["agentPassword"], newPassword = "Changed#2026pw" }),
            run => run.Ids["agentId"], run => run.Ids["agentId"]),
        Admin("POST", "/api/v1/tenants/{tenantId}/flows", run => $"{run.Tenant.Base}/flows",
            _ => new { name = "Audited flow", mode = "online", modules = new object[] { new { type = "start", id = "s", label = "S", next = "e" }, new { type = "end", id = "e", label = "E" } } },
            run => run.Ids["flowId"]),
        Admin("PUT", "/api/v1/tenants/{tenantId}/flows/{flowId}", run => $"{run.Tenant.Base}/flows/{run.Ids["flowId"]}", _ => new { name = "Audited flow 2" }, run => run.Ids["flowId"]),
        Admin("POST", "/api/v1/tenants/{tenantId}/flows/{flowId}/publish", run => $"{run.Tenant.Base}/flows/{run.Ids["flowId"]}/publish", null, run => run.Ids["flowId"]),
        Admin("POST", "/api/v1/tenants/{tenantId}/channels", run => $"{run.Tenant.Base}/channels",
            _ => new { kind = "mini-program", name = "小程序", mode = "online", appId = "wx1", secret = "mini-secret-1", webhookUrl = "https://hooks.example/x" }, run => run.Ids["channelId"]),
        Admin("PATCH", "/api/v1/tenants/{tenantId}/channels/{channelId}", run => $"{run.Tenant.Base}/channels/{run.Ids["channelId"]}", _ => new { secret = "mini-secret-2" }, run => run.Ids["channelId"]),
        Admin("PUT", "/api/v1/tenants/{tenantId}/channels/{channelId}/flow", run => $"{run.Tenant.Base}/channels/{run.Ids["channelId"]}/flow", run => new { flowId = run.Ids["flowId"] }, run => run.Ids["channelId"]),
        Admin("DELETE", "/api/v1/tenants/{tenantId}/channels/{channelId}/flow", run => $"{run.Tenant.Base}/channels/{run.Ids["channelId"]}/flow", null, run => run.Ids["channelId"]),
        Admin("POST", "/api/v1/tenants/{tenantId}/channels/{channelId}/credentials", run => $"{run.Tenant.Base}/channels/{run.Ids["channelId"]}/credentials", null, run => run.Ids["channelId"]),
        Admin("DELETE", "/api/v1/tenants/{tenantId}/channels/{channelId}", run => $"{run.Tenant.Base}/channels/{run.Ids["channelId"]}", null, run => run.Ids["channelId"]),
        Admin("POST", "/api/v1/tenants/{tenantId}/flows/{flowId}/unpublish", run => $"{run.Tenant.Base}/flows/{run.Ids["flowId"]}/unpublish", null, run => run.Ids["flowId"]),
        Admin("DELETE", "/api/v1/tenants/{tenantId}/flows/{flowId}", run => $"{run.Tenant.Base}/flows/{run.Ids["flowId"]}", null, run => run.Ids["flowId"]),
        Admin("POST", "/api/v1/tenants/{tenantId}/admins", run => $"{run.Tenant.Base}/admins", run => new { name = "Second admin", email = $"a2-{run.Tenant.Id}@audit.test" }, run => run.Ids["adminId"]),
        Admin("PATCH", "/api/v1/tenants/{tenantId}/admins/{adminId}", run => $"{run.Tenant.Base}/admins/{run.Ids["adminId"]}", _ => new { phone = "13800000000" }, run => run.Ids["adminId"]),
        Admin("POST", "/api/v1/tenants/{tenantId}/admins/{adminId}/reset-password", run => $"{run.Tenant.Base}/admins/{run.Ids["adminId"]}/reset-password", null, run => run.Ids["adminId"]),
        Admin("DELETE", "/api/v1/tenants/{tenantId}/admins/{adminId}", run => $"{run.Tenant.Base}/admins/{run.Ids["adminId"]}", null, run => run.Ids["adminId"]),
        Admin("POST", "/api/v1/tenants/{tenantId}/departments", run => $"{run.Tenant.Base}/departments", _ => new { name = "销售部" }, run => run.Ids["departmentId"]),
        Admin("PATCH", "/api/v1/tenants/{tenantId}/departments/{departmentId}", run => $"{run.Tenant.Base}/departments/{run.Ids["departmentId"]}", _ => new { name = "销售一部" }, run => run.Ids["departmentId"]),
        Admin("POST", "/api/v1/tenants/{tenantId}/departments/{departmentId}/members", run => $"{run.Tenant.Base}/departments/{run.Ids["departmentId"]}/members",
            run => new { agentIds = new[] { run.Ids["agentId"] } }, run => run.Ids["departmentId"]),
        Admin("POST", "/api/v1/tenants/{tenantId}/marketing-accounts", run => $"{run.Tenant.Base}/marketing-accounts", _ => new { name = "旗舰店" }, run => run.Ids["accountId"]),
        Admin("PATCH", "/api/v1/tenants/{tenantId}/marketing-accounts/{accountId}", run => $"{run.Tenant.Base}/marketing-accounts/{run.Ids["accountId"]}", _ => new { rule = new { cap = 20 } }, run => run.Ids["accountId"]),
        Admin("PUT", "/api/v1/tenants/{tenantId}/marketing-accounts/{accountId}/staff", run => $"{run.Tenant.Base}/marketing-accounts/{run.Ids["accountId"]}/staff",
            run => new { departmentIds = new[] { run.Ids["departmentId"] } }, run => run.Ids["accountId"]),
        new("PUT", "/api/v1/tenants/{tenantId}/marketing-accounts/{accountId}/avatar", run => run.Tenant.Admin.Http.PutAsync($"{run.Tenant.Base}/marketing-accounts/{run.Ids["accountId"]}/avatar",
            new MultipartFormDataContent { { new ByteArrayContent(ImageTests.Png), "file", "avatar.png" } }), run => run.Ids["accountId"], run => run.Tenant.AdminId),
        Admin("DELETE", "/api/v1/tenants/{tenantId}/departments/{departmentId}/members/{agentId}", run => $"{run.Tenant.Base}/departments/{run.Ids["departmentId"]}/members/{run.Ids["agentId"]}",
            null, run => run.Ids["departmentId"]),
        Admin("DELETE", "/api/v1/tenants/{tenantId}/departments/{departmentId}", run => $"{run.Tenant.Base}/departments/{run.Ids["departmentId"]}", null, run => run.Ids["departmentId"]),
        Admin("DELETE", "/api/v1/tenants/{tenantId}/marketing-accounts/{accountId}", run => $"{run.Tenant.Base}/marketing-accounts/{run.Ids["accountId"]}", null, run => run.Ids["accountId"]),
        Admin("POST", "/api/v1/tenants/{tenantId}/faq", run => $"{run.Tenant.Base}/faq", _ => new { question = "怎么开发票", similarQuestions = new[] { "发票在哪开" }, answer = "在订单页申请。" },
            run => run.Ids["faqId"]),
        Admin("PATCH", "/api/v1/tenants/{tenantId}/faq/{phraseId}", run => $"{run.Tenant.Base}/faq/{run.Ids["faqId"]}", _ => new { answer = "在订单详情页申请开票。" }, run => run.Ids["faqId"]),
        new("POST", "/api/v1/tenants/{tenantId}/faq/import", run => run.Tenant.Admin.Http.PostAsync($"{run.Tenant.Base}/faq/import", Csv("category,question,similarQuestions,answer\n物流,快递多久到,,三天内。\n")),
            _ => null!, run => run.Tenant.AdminId),
        Admin("DELETE", "/api/v1/tenants/{tenantId}/faq/{phraseId}", run => $"{run.Tenant.Base}/faq/{run.Ids["faqId"]}", null, run => run.Ids["faqId"]),
        Admin("POST", "/api/v1/tenants/{tenantId}/phrases", run => $"{run.Tenant.Base}/phrases", _ => new { category = "问候", text = "您好，很高兴为您服务。" }, run => run.Ids["phraseId"]),
        Admin("PATCH", "/api/v1/tenants/{tenantId}/phrases/{phraseId}", run => $"{run.Tenant.Base}/phrases/{run.Ids["phraseId"]}", _ => new { title = "问候" }, run => run.Ids["phraseId"]),
        new("POST", "/api/v1/tenants/{tenantId}/phrases/import", run => run.Tenant.Admin.Http.PostAsync($"{run.Tenant.Base}/phrases/import", Csv("category,title,text\n结束,再见,感谢您的咨询。\n")),
            _ => null!, run => run.Tenant.AdminId),
        Admin("DELETE", "/api/v1/tenants/{tenantId}/phrases/{phraseId}", run => $"{run.Tenant.Base}/phrases/{run.Ids["phraseId"]}", null, run => run.Ids["phraseId"]),
        new("POST", "/api/v1/tenants/{tenantId}/me/phrases", run => run.Agent.PostAsync($"{run.Tenant.Base}/me/phrases", new { text = "稍等，我帮您查一下。" }),
            run => run.Ids["personalId"], run => run.Ids["agentId"]),
        new("PATCH", "/api/v1/tenants/{tenantId}/me/phrases/{phraseId}", run => run.Agent.SendAsync(HttpMethod.Patch, $"{run.Tenant.Base}/me/phrases/{run.Ids["personalId"]}", new { category = "常用" }),
            run => run.Ids["personalId"], run => run.Ids["agentId"]),
        new("POST", "/api/v1/tenants/{tenantId}/me/phrases/import", run => run.Agent.Http.PostAsync($"{run.Tenant.Base}/me/phrases/import", Csv("category,title,text\n常用,,好的，马上为您处理。\n")),
            _ => null!, run => run.Ids["agentId"]),
        new("DELETE", "/api/v1/tenants/{tenantId}/me/phrases/{phraseId}", run => run.Agent.SendAsync(HttpMethod.Delete, $"{run.Tenant.Base}/me/phrases/{run.Ids["personalId"]}"),
            run => run.Ids["personalId"], run => run.Ids["agentId"]),
        Admin("DELETE", "/api/v1/tenants/{tenantId}/agents/{agentId}", run => $"{run.Tenant.Base}/agents/{run.Ids["newAgentId"]}", null, run => run.Ids["newAgentId"]),
        Admin("DELETE", "/api/v1/tenants/{tenantId}/skill-groups/{groupId}", run => $"{run.Tenant.Base}/skill-groups/{run.Ids["groupId"]}", null, run => run.Ids["groupId"]),
    ];

    [Fact]
    public async Task Every_changing_route_is_audited_or_says_why_not_and_each_audited_route_records_who_what_and_which_fields()
    {
        var audited = ChangingRoutes().Where(r => r.Audited).Select(r => (r.Method, r.Pattern)).ToHashSet();
        var unexplained = ChangingRoutes().Where(r => !r.Audited && string.IsNullOrWhiteSpace(r.Reason)).Select(r => $"{r.Method} {r.Pattern}").ToList();
        Assert.True(unexplained.Count == 0, "changing routes neither audited nor marked NotAudited with a reason:\n" + string.Join("\n", unexplained));
        var stepped = Steps.Select(s => (s.Method, s.Pattern)).ToHashSet();
        Assert.True(audited.SetEquals(stepped),
            "audited routes without a step here: " + string.Join(", ", audited.Except(stepped)) + "; steps of routes not audited: " + string.Join(", ", stepped.Except(audited)));

        var run = await StartAsync();
        var failures = new List<string>();
        foreach (var step in Steps)
        {
            // Every step's record lands in the platform's whole trail, which the operator reads.
            var newest = await NewestAsync(run.Operator, 1);
            using var response = await step.Send(run);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"{step.Method} {step.Pattern} answered {(int)response.StatusCode}: {text}");
            Learn(run, step, text);

            // Exactly one new record, the step's own: its route, its target, its actor.
            var latest = await NewestAsync(run.Operator, 2);
            var (record, before) = (latest[0]!, latest[1]!);
            var (target, actor) = (step.Target(run), step.Actor(run));
            if ((string)before["id"]! != (string)newest[0]!["id"]!) failures.Add($"{step.Method} {step.Pattern}: more than one record");
            if ((string)record["method"]! != step.Method || (string)record["route"]! != step.Pattern || (string?)record["target"]!["id"] != target || (string)record["actor"]!["id"]! != actor)
                failures.Add($"{step.Method} {step.Pattern} (target {target}, actor {actor}): the newest record is {record.ToJsonString()}");
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        var tenantTrail = await TrailAsync(run.Tenant.Admin, $"{run.Tenant.Base}/audit");
        var platformTrail = await TrailAsync(run.Operator, "/api/v1/audit");

        // The fields each request gave are summarized; passwords and secrets never appear.
        var reply = tenantTrail.Single(r => (string)r["route"]! == "/api/v1/tenants/{tenantId}/quick-replies/{replyId}" && (string)r["method"]! == "PUT");
        Assert.Equal("Hi", (string)reply["changes"]!["title"]!);
        var settings = tenantTrail.Single(r => (string)r["route"]! == "/api/v1/tenants/{tenantId}/settings/{mode}");
        Assert.Equal(40, (int)settings["changes"]!["timeoutTransferSeconds"]!);
        var member = tenantTrail.Single(r => (string)r["method"]! == "DELETE" && (string)r["route"]! == "/api/v1/tenants/{tenantId}/skill-groups/{groupId}/members/{agentId}");
        Assert.Equal(run.Ids["importedId"], (string)member["changes"]!["agentId"]!);
        var password = tenantTrail.First(r => (string)r["route"]! == "/api/v1/me/password" && (string)r["actor"]!["id"]! == run.Ids["agentId"]);
        Assert.Equal("(not recorded)", (string)password["changes"]!["newPassword"]!);
        Assert.Equal("session", (string)password["actor"]!["via"]!);
        var revoke = tenantTrail.Single(r => (string)r["route"]! == "/api/v1/tenants/{tenantId}/api-tokens/{tokenId}" && (string)r["method"]! == "DELETE");
        Assert.StartsWith("api-token:", (string)revoke["actor"]!["via"]!, StringComparison.Ordinal);
        Assert.Equal(run.Tenant.AdminEmail, (string)revoke["actor"]!["email"]!);
        var everything = string.Join("\n", tenantTrail.Concat(platformTrail).Select(r => r.ToJsonString()));
        foreach (var secret in run.Secrets) Assert.DoesNotContain(secret, everything, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Trail_pages_by_keyset_without_gaps_or_repeats_and_filters_by_actor_target_and_time()
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        var ids = new List<string>();
        for (var i = 0; i < 7; i++)
            ids.Add((string)(await tenant.Admin.PostOkAsync($"{tenant.Base}/quick-replies", new { title = $"R{i}", body = "b" }))["id"]!);
        await tenant.Admin.OkAsync(HttpMethod.Put, $"{tenant.Base}/quick-replies/{ids[3]}", new { title = "R3b", body = "b" });

        var all = await TrailAsync(tenant.Admin, $"{tenant.Base}/audit");
        var paged = new List<JsonNode>();
        string? cursor = null;
        do
        {
            var page = await tenant.Admin.GetOkAsync($"{tenant.Base}/audit?limit=3" + (cursor is null ? "" : "&cursor=" + cursor));
            Assert.True(page["items"]!.AsArray().Count <= 3);
            paged.AddRange(page["items"]!.AsArray().Select(n => n!));
            cursor = (string?)page["next"];
        }
        while (cursor is not null);
        Assert.Equal(all.Select(r => (string)r["id"]!), paged.Select(r => (string)r["id"]!));
        var times = all.Select(r => DateTimeOffset.Parse((string)r["at"]!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(times.OrderDescending(), times);

        var ofReply = await TrailAsync(tenant.Admin, $"{tenant.Base}/audit?targetId={ids[3]}");
        Assert.Equal(["PUT", "POST"], ofReply.Select(r => (string)r["method"]!));
        var byAdmin = await TrailAsync(tenant.Admin, $"{tenant.Base}/audit?actorId={tenant.AdminId}");
        Assert.Equal(all.Count(r => (string)r["actor"]!["id"]! == tenant.AdminId), byAdmin.Count);
        Assert.Empty(await TrailAsync(tenant.Admin, $"{tenant.Base}/audit?actorId=nobody"));
        var byType = await TrailAsync(tenant.Admin, $"{tenant.Base}/audit?targetType=quick-reply");
        Assert.Equal(8, byType.Count);

        // A time range: from (included) the fourth reply's creation to (not included) the update.
        var created = byType.Where(r => (string)r["method"]! == "POST").Reverse().ToList();
        var update = byType.Single(r => (string)r["method"]! == "PUT");
        var from = Uri.EscapeDataString((string)created[3]["at"]!);
        var to = Uri.EscapeDataString((string)update["at"]!);
        var window = await TrailAsync(tenant.Admin, $"{tenant.Base}/audit?targetType=quick-reply&from={from}&to={to}");
        Assert.All(window, r => Assert.InRange(DateTimeOffset.Parse((string)r["at"]!, System.Globalization.CultureInfo.InvariantCulture),
            DateTimeOffset.Parse((string)created[3]["at"]!, System.Globalization.CultureInfo.InvariantCulture), DateTimeOffset.Parse((string)update["at"]!, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Contains(window, r => (string)r["target"]!["id"]! == ids[3]);
        Assert.DoesNotContain(window, r => (string)r["method"]! == "PUT");

        Assert.Equal("is not a cursor this list gave (use the next value of the page before)",
            await ApiClient.FieldErrorAsync(await tenant.Admin.GetAsync($"{tenant.Base}/audit?cursor=not-a-cursor"), "cursor"));
        await ApiClient.FieldErrorAsync(await tenant.Admin.GetAsync($"{tenant.Base}/audit?limit=0"), "limit");
        await ApiClient.FieldErrorAsync(await tenant.Admin.GetAsync($"{tenant.Base}/audit?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z"), "to");
    }

    [Fact]
    public async Task Admins_read_their_own_tenants_trail_with_the_operators_changes_and_only_the_operator_reads_the_platforms()
    {
        using var a = await TestTenant.CreateAsync(factory);
        using var b = await TestTenant.CreateAsync(factory);
        using var op = await ApiClient.SignInAsync(factory, EngineFactory.OperatorEmail, EngineFactory.OperatorPassword);
        await op.OkAsync(HttpMethod.Patch, a.Base, new { name = "Renamed by the operator" });

        var trailOfA = await TrailAsync(a.Admin, $"{a.Base}/audit");
        Assert.Contains(trailOfA, r => (string)r["actor"]!["role"]! == "operator" && (string)r["method"]! == "PATCH");
        Assert.Contains(trailOfA, r => (string)r["route"]! == "/api/v1/tenants" && (string)r["target"]!["id"]! == a.Id);
        Assert.All(trailOfA, r => Assert.Equal(a.Id, (string)r["tenantId"]!));
        Assert.Equal(HttpStatusCode.NotFound, (await a.Admin.GetAsync($"{b.Base}/audit")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await a.Admin.GetAsync("/api/v1/audit")).StatusCode);

        var ofB = await TrailAsync(op, $"/api/v1/audit?tenantId={b.Id}");
        Assert.NotEmpty(ofB);
        Assert.All(ofB, r => Assert.Equal(b.Id, (string)r["tenantId"]!));
        var everything = await TrailAsync(op, "/api/v1/audit");
        Assert.Contains(everything, r => (string?)r["tenantId"] == a.Id);
        Assert.Contains(everything, r => (string?)r["tenantId"] == b.Id);
    }

    [Fact]
    public async Task A_change_that_changes_nothing_leaves_no_record()
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        var before = (await TrailAsync(tenant.Admin, $"{tenant.Base}/audit")).Count;
        Assert.Equal(HttpStatusCode.NotFound, (await tenant.Admin.SendAsync(HttpMethod.Delete, $"{tenant.Base}/quick-replies/missing")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await tenant.Admin.PostAsync($"{tenant.Base}/quick-replies", new { title = "", body = "" })).StatusCode);
        var pop = (string)(await tenant.Admin.PostOkAsync($"{tenant.Base}/screen-pops", new { name = "Only", url = "https://crm.example/" }))["id"]!;
        // The only pop moved down stays where it is.
        await tenant.Admin.PostOkAsync($"{tenant.Base}/screen-pops/{pop}/move", new { direction = "down" });
        var after = await TrailAsync(tenant.Admin, $"{tenant.Base}/audit");
        Assert.Equal(before + 1, after.Count);
        Assert.Equal("POST", (string)after[0]["method"]!);
    }

    [Fact]
    public async Task A_change_whose_audit_record_cannot_be_written_is_not_made_on_the_row_or_the_grain_path()
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        var group = await tenant.AddGroupAsync();
        await using var refuseAudit = await RefuseAsync("audit_records", "summary", "refuse-audit");
        var settingsBefore = (await tenant.Admin.GetOkAsync($"{tenant.Base}/settings/online")).ToJsonString();

        var reply = await tenant.Admin.PostAsync($"{tenant.Base}/quick-replies", new { title = "refuse-audit", body = "b" });
        await ApiClient.ProblemAsync(reply, HttpStatusCode.ServiceUnavailable);
        var newGroup = await tenant.Admin.PostAsync($"{tenant.Base}/skill-groups", new { name = "refuse-audit", mode = "online", receptionCap = 1 });
        await ApiClient.ProblemAsync(newGroup, HttpStatusCode.ServiceUnavailable);
        // The settings live in the tenant grain's state: its write and the record are one transaction too.
        await using var refuseSettings = await RefuseAsync("audit_records", "summary", "\"timeoutTransferSeconds\":45");
        var settings = await tenant.Admin.SendAsync(HttpMethod.Put, $"{tenant.Base}/settings/online", new { timeoutTransfer = true, timeoutTransferSeconds = 45 });
        Assert.False(settings.IsSuccessStatusCode, await settings.Content.ReadAsStringAsync());
        var cap = await tenant.Admin.SendAsync(HttpMethod.Patch, $"{tenant.Base}/skill-groups/{group}", new { name = "refuse-audit", receptionCap = 4 });
        Assert.False(cap.IsSuccessStatusCode, await cap.Content.ReadAsStringAsync());

        Assert.DoesNotContain("refuse-audit", (await tenant.Admin.GetOkAsync($"{tenant.Base}/quick-replies")).ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain("refuse-audit", (await tenant.Admin.GetOkAsync($"{tenant.Base}/skill-groups")).ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(settingsBefore, (await tenant.Admin.GetOkAsync($"{tenant.Base}/settings/online")).ToJsonString());
        Assert.Equal(2, (int)(await tenant.Admin.GetOkAsync($"{tenant.Base}/skill-groups/{group}"))["group"]!["receptionCap"]!);
        Assert.DoesNotContain("refuse-audit", (await tenant.Admin.GetOkAsync($"{tenant.Base}/audit")).ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_change_that_fails_part_way_leaves_neither_its_rows_nor_its_record()
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        await using var refuseRow = await RefuseAsync("users", "email", "refuse-row");
        var before = (await TrailAsync(tenant.Admin, $"{tenant.Base}/audit")).Count;
        // Two agents in one import: the first row is written, the second refused by the store.
        var import = await tenant.Admin.Http.PostAsync($"{tenant.Base}/agents/import",
            Csv($"name,staffNo,email\nFirst,PW1,first-{tenant.Id}@audit.test\nSecond,PW2,refuse-row-{tenant.Id}@audit.test\n"));
        await ApiClient.ProblemAsync(import, HttpStatusCode.ServiceUnavailable);
        // The tenant still has its admin alone.
        Assert.Equal(1, (long)(await tenant.Admin.GetOkAsync($"{tenant.Base}/agents"))["total"]!);
        Assert.Equal(before, (await TrailAsync(tenant.Admin, $"{tenant.Base}/audit")).Count);
        // Nor the message that would have told the first agent their initial password (TN-3).
        await using var connection = await factory.Services.GetRequiredService<Database>().OpenAsync();
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM outbox WHERE recipient = @first", new { first = $"first-{tenant.Id}@audit.test" }));
    }

    [Fact]
    public async Task Secrets_never_reach_the_trail_however_they_are_sent_and_a_body_the_route_does_not_take_is_not_read()
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        var reply = (string)(await tenant.Admin.PostOkAsync($"{tenant.Base}/quick-replies", new { title = "t", body = "b" }))["id"]!;
        // A form on a route that takes none: not read, not recorded.
        using (var stray = new HttpRequestMessage(HttpMethod.Delete, $"{tenant.Base}/quick-replies/{reply}")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["role"] = "operator", ["apiKey"] = "sk_live_123" }),
        })
        {
            Assert.Equal(HttpStatusCode.NoContent, (await tenant.Admin.Http.SendAsync(stray)).StatusCode);
        }
        // Credentials in a URL, and secret-named query values.
        await tenant.Admin.PostOkAsync($"{tenant.Base}/screen-pops", new { name = "CRM", url = "https://user:hunter2@crm.example/?c={customerId}&access_key=SECRETKEY" });

        var trail = await TrailAsync(tenant.Admin, $"{tenant.Base}/audit");
        var deleted = trail.Single(r => (string)r["method"]! == "DELETE");
        Assert.Equal("{}", deleted["changes"]!.ToJsonString());
        var pop = trail.First(r => (string)r["route"]! == "/api/v1/tenants/{tenantId}/screen-pops");
        var url = (string)pop["changes"]!["url"]!;
        Assert.StartsWith("https://crm.example/", url, StringComparison.Ordinal);
        Assert.Contains("access_key=(not recorded)", Uri.UnescapeDataString(url), StringComparison.Ordinal);
        var everything = string.Join("\n", trail.Select(r => r.ToJsonString()));
        foreach (var secret in new[] { "hunter2", "SECRETKEY", "sk_live_123" }) Assert.DoesNotContain(secret, everything, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Filters_the_store_could_not_read_are_refused_as_bad_input()
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        await ApiClient.FieldErrorAsync(await tenant.Admin.GetAsync($"{tenant.Base}/audit?actorId=a%00b"), "actorId");
        await ApiClient.FieldErrorAsync(await tenant.Admin.GetAsync($"{tenant.Base}/audit?targetId={new string('x', 101)}"), "targetId");
        var badId = Convert.ToBase64String(Encoding.UTF8.GetBytes("1700000000000:a\u0000b")).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        await ApiClient.FieldErrorAsync(await tenant.Admin.GetAsync($"{tenant.Base}/audit?cursor={badId}"), "cursor");
    }

    /// <summary>
    /// A trigger that makes the store refuse rows of <paramref name="table"/> whose <paramref name="column"/> contains
    /// <paramref name="marker"/>, as a failing disk or constraint would; dropped when the result is disposed.
    /// </summary>
    private async Task<IAsyncDisposable> RefuseAsync(string table, string column, string marker)
    {
        var database = factory.Services.GetRequiredService<Database>();
        var name = $"refuse_{table}_{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(marker)))[..8]}";
        var sqlite = database.Dialect.Kind == StoreKind.Sqlite;
        await using (var connection = await database.OpenAsync())
        {
            await connection.ExecuteAsync(sqlite
                ? $"CREATE TRIGGER {name} BEFORE INSERT ON {table} WHEN NEW.{column} LIKE '%{marker}%' BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
                : $"""
                  CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$;
                  CREATE TRIGGER {name} BEFORE INSERT ON {table} FOR EACH ROW WHEN (NEW.{column} LIKE '%{marker}%') EXECUTE FUNCTION {name}();
                  """);
        }
        return new Dropping(async () =>
        {
            await using var connection = await database.OpenAsync();
            await connection.ExecuteAsync(sqlite ? $"DROP TRIGGER {name}" : $"DROP TRIGGER {name} ON {table}; DROP FUNCTION {name}();");
        });
    }

    private sealed class Dropping(Func<Task> drop) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await drop();
    }

    private async Task<Run> StartAsync()
    {
        var tenant = await TestTenant.CreateAsync(factory);
        var op = await ApiClient.SignInAsync(factory, EngineFactory.OperatorEmail, EngineFactory.OperatorPassword);
        var (agentId, agentEmail, agentInitial, _) = await tenant.AddAgentAsync();
        var agent = await ApiClient.SignInAsync(factory, agentEmail, agentInitial, "Agent#2026pw");
        var run = new Run(tenant, op, agent, ApiClient.Bearer(factory, tenant.AdminToken));
        run.Ids["operatorId"] = (string)(await op.GetOkAsync("/api/v1/me"))["id"]!;
        run.Ids["agentPassword"] = "Agent#2026pw";
        run.Ids["agentId"] = agentId;
        // A pop for the step's own to move up past.
        await tenant.Admin.PostOkAsync($"{tenant.Base}/screen-pops", new { name = "First", url = "https://first.example/" });
        // The admin's own token, revoked by the admin's API client itself at the end.
        var own = await tenant.Admin.PostOkAsync($"{tenant.Base}/api-tokens", new { name = "revoked in the test" });
        run.Ids["ownTokenId"] = (string)own["id"]!;
        run.Secrets.AddRange(["mini-secret-1", "mini-secret-2", agentInitial, "Agent#2026pw", "Changed#2026pw", TestTenant.Password, tenant.AdminToken, (string)own["token"]!]);
        return run;
    }

    /// <summary>Takes what later steps need (ids, secrets) from an answer.</summary>
    private static void Learn(Run run, Step step, string text)
    {
        if (text.Length == 0 || JsonNode.Parse(text) is not JsonObject answer) return;
        foreach (var secret in new[] { "initialPassword", "token", "webhookSecret" })
            if (answer[secret] is JsonValue value) run.Secrets.Add(value.GetValue<string>());
        switch (step.Method, step.Pattern)
        {
            case ("POST", "/api/v1/tenants"): run.Ids["newTenantId"] = (string)answer["id"]!; break;
            case ("POST", "/api/v1/tenants/{tenantId}/skill-groups"): run.Ids["groupId"] = (string)answer["id"]!; break;
            case ("POST", "/api/v1/tenants/{tenantId}/agents"): run.Ids["newAgentId"] = (string)answer["agent"]!["id"]!; break;
            case ("POST", "/api/v1/tenants/{tenantId}/agents/import"): run.Ids["importedId"] = (string)answer["added"]![0]!["id"]!; break;
            case ("POST", "/api/v1/tenants/{tenantId}/quick-replies"): run.Ids["replyId"] = (string)answer["id"]!; break;
            case ("POST", "/api/v1/tenants/{tenantId}/screen-pops"): run.Ids["popId"] = (string)answer["id"]!; break;
            case ("POST", "/api/v1/tenants/{tenantId}/audio-files"): run.Ids["audioId"] = (string)answer["id"]!; break;
            case ("POST", "/api/v1/tenants/{tenantId}/api-tokens"): run.Ids["tokenId"] = (string)answer["id"]!; break;
            case ("POST", "/api/v1/tenants/{tenantId}/admins"): run.Ids["adminId"] = (string)answer["admin"]!["id"]!; break;
            case ("POST", "/api/v1/tenants/{tenantId}/flows"): run.Ids["flowId"] = (string)answer["id"]!; break;
            case ("POST", "/api/v1/tenants/{tenantId}/channels"): run.Ids["channelId"] = (string)answer["channel"]!["id"]!; break;
            case ("POST", "/api/v1/tenants/{tenantId}/departments"): run.Ids["departmentId"] = (string)answer["id"]!; break;
            case ("POST", "/api/v1/tenants/{tenantId}/marketing-accounts"): run.Ids["accountId"] = (string)answer["id"]!; break;
            case ("POST", "/api/v1/tenants/{tenantId}/faq"): run.Ids["faqId"] = (string)answer["id"]!; break;
            case ("POST", "/api/v1/tenants/{tenantId}/phrases"): run.Ids["phraseId"] = (string)answer["id"]!; break;
            case ("POST", "/api/v1/tenants/{tenantId}/me/phrases"): run.Ids["personalId"] = (string)answer["id"]!; break;
        }
    }

    /// <summary>Every route that changes something: whether it is audited, or why not.</summary>
    private IEnumerable<(string Method, string Pattern, bool Audited, string? Reason)> ChangingRoutes()
    {
        foreach (var endpoint in factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            var pattern = "/" + endpoint.RoutePattern.RawText!.Trim('/');
            var audited = endpoint.Metadata.GetMetadata<AuditedRoute>() is not null;
            var reason = endpoint.Metadata.GetMetadata<NotAuditedRoute>()?.Reason;
            foreach (var method in endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? [])
                if (method is not ("GET" or "HEAD" or "OPTIONS")) yield return (method, pattern, audited, reason);
        }
    }

    private static async Task<JsonArray> NewestAsync(ApiClient op, int count)
        => (await op.GetOkAsync($"/api/v1/audit?limit={count}"))["items"]!.AsArray();

    /// <summary>The whole trail behind <paramref name="path"/>, newest first, page after page.</summary>
    private static async Task<List<JsonNode>> TrailAsync(ApiClient api, string path)
    {
        var records = new List<JsonNode>();
        string? cursor = null;
        do
        {
            var separator = path.Contains('?', StringComparison.Ordinal) ? '&' : '?';
            var page = await api.GetOkAsync($"{path}{separator}limit=200" + (cursor is null ? "" : "&cursor=" + cursor));
            records.AddRange(page["items"]!.AsArray().Select(n => n!));
            cursor = (string?)page["next"];
        }
        while (cursor is not null);
        return records;
    }

    private static MultipartFormDataContent Csv(string text)
    {
        var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(text));
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        form.Add(file, "file", "agents.csv");
        return form;
    }

    private static MultipartFormDataContent Wav()
    {
        var form = new MultipartFormDataContent();
        form.Add(new ByteArrayContent([.. "RIFF"u8, 4, 0, 0, 0, .. "WAVE"u8]), "file", "greeting.wav");
        form.Add(new StringContent("Greeting"), "name");
        return form;
    }
}

public sealed class AuditTrailOnSqliteTests(EngineFactory factory) : AuditTrailContract(factory), IClassFixture<EngineFactory>;

public sealed class AuditTrailOnPostgresTests(PostgresEngineFactory factory) : AuditTrailContract(factory), IClassFixture<PostgresEngineFactory>;
