using System.Net;
using Engine.Agents;
using Engine.Grains.Routing;
using Engine.Web.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Engine.Web.Tests;

/// <summary>Skill groups, agent presence and conversations through the REST API, acting on the running grains.</summary>
public abstract class RoutingApiContract(EngineFactory factory)
{
    [Fact]
    public async Task SG2_a_name_has_at_most_20_characters_and_full_width_ones_count_as_one()
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        var twenty = new string('客', 20);
        var created = await tenant.Admin.PostOkAsync($"{tenant.Base}/skill-groups", new { name = twenty, mode = "online", receptionCap = 3 });
        Assert.Equal(twenty, (string?)created["name"]);
        var response = await tenant.Admin.PostAsync($"{tenant.Base}/skill-groups", new { name = twenty + "服", mode = "online", receptionCap = 3 });
        Assert.Equal("must be at most 20 characters", await ApiClient.FieldErrorAsync(response, "name"));
    }

    [Theory]
    [InlineData("online", 0)]
    [InlineData("online", 101)]
    [InlineData("phone", 2)]
    [InlineData("omni", 3)]
    public async Task SG3_reception_caps_outside_the_modes_rule_are_refused(string mode, int cap)
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        await ApiClient.FieldErrorAsync(await tenant.Admin.PostAsync($"{tenant.Base}/skill-groups", new { name = "G", mode, receptionCap = cap }), "receptionCap");
    }

    [Fact]
    public async Task SG1_the_mode_is_fixed_at_creation()
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        var group = await tenant.AddGroupAsync("phone", null);
        Assert.Equal(1, (int)(await tenant.Admin.GetOkAsync($"{tenant.Base}/skill-groups/{group}"))["group"]!["receptionCap"]!);
        var response = await tenant.Admin.SendAsync(HttpMethod.Patch, $"{tenant.Base}/skill-groups/{group}", new { mode = "online" });
        await ApiClient.FieldErrorAsync(response, "mode");
        await ApiClient.FieldErrorAsync(await tenant.Admin.PostAsync($"{tenant.Base}/skill-groups", new { name = "G", mode = "video", receptionCap = 1 }), "mode");
    }

    [Fact]
    public async Task SG3_a_raised_cap_reaches_routing_at_once()
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        var group = await tenant.AddGroupAsync("online", 1);
        var (_, _, _, token) = await tenant.AddAgentAsync([group]);
        using var agent = ApiClient.Bearer(factory, token);
        await agent.OkAsync(HttpMethod.Put, $"{tenant.Base}/me/presence", new { presence = "online" });
        await StartAsync(tenant, group, "v1");
        var second = await StartAsync(tenant, group, "v2");
        Assert.Equal(0, (int)(await tenant.Admin.GetOkAsync($"{tenant.Base}/conversations/{second}"))["queuePosition"]!);

        await tenant.Admin.OkAsync(HttpMethod.Patch, $"{tenant.Base}/skill-groups/{group}", new { receptionCap = 2 });
        await OfferedAsync(tenant, second);
        Assert.Equal(2, (await agent.GetOkAsync($"{tenant.Base}/me/offers")).AsArray().Count);
    }

    [Fact]
    public async Task SG4_a_member_added_is_offered_the_waiting_conversation_and_a_removed_one_is_not()
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        var group = await tenant.AddGroupAsync();
        var (id, email, _, token) = await tenant.AddAgentAsync();
        using var agent = ApiClient.Bearer(factory, token);
        await agent.OkAsync(HttpMethod.Put, $"{tenant.Base}/me/presence", new { presence = "online" });
        var waiting = await StartAsync(tenant, group, "v1");
        Assert.Equal("Queued", (string?)(await tenant.Admin.GetOkAsync($"{tenant.Base}/conversations/{waiting}"))["status"]);

        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Admin.PostAsync($"{tenant.Base}/skill-groups/{group}/members", new { agentIds = new[] { id } })).StatusCode);
        var members = await tenant.Admin.GetOkAsync($"{tenant.Base}/skill-groups/{group}/members");
        Assert.Equal(1, (int)members["total"]!);
        Assert.Equal(email, (string?)members["items"]![0]!["email"]);
        await OfferedAsync(tenant, waiting);
        Assert.Equal(waiting, (string?)(await agent.GetOkAsync($"{tenant.Base}/me/offers"))[0]!["conversationId"]);

        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Admin.SendAsync(HttpMethod.Delete, $"{tenant.Base}/skill-groups/{group}/members/{id}")).StatusCode);
        var next = await StartAsync(tenant, group, "v2");
        Assert.Equal("Queued", (string?)(await tenant.Admin.GetOkAsync($"{tenant.Base}/conversations/{next}"))["status"]);
        await ApiClient.FieldErrorAsync(await tenant.Admin.PostAsync($"{tenant.Base}/skill-groups/{group}/members", new { agentIds = new[] { "nobody" } }), "agentIds");
    }

    [Fact]
    public async Task SG5_deleting_a_group_keeps_its_agents_and_is_refused_while_its_queue_is_not_empty()
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        var group = await tenant.AddGroupAsync();
        var (id, _, _, _) = await tenant.AddAgentAsync([group]);
        var waiting = await StartAsync(tenant, group, "v1");
        await ApiClient.ProblemAsync(await tenant.Admin.SendAsync(HttpMethod.Delete, $"{tenant.Base}/skill-groups/{group}"), HttpStatusCode.Conflict);

        var (_, _, _, token) = await tenant.AddAgentAsync([group]);
        using var agent = ApiClient.Bearer(factory, token);
        await agent.OkAsync(HttpMethod.Put, $"{tenant.Base}/me/presence", new { presence = "online" });
        await OfferedAsync(tenant, waiting);
        await agent.PostOkAsync($"{tenant.Base}/conversations/{waiting}/answer");
        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Admin.SendAsync(HttpMethod.Delete, $"{tenant.Base}/skill-groups/{group}")).StatusCode);

        Assert.Empty((await tenant.Admin.GetOkAsync($"{tenant.Base}/agents/{id}"))["skillGroupIds"]!.AsArray());
        await ApiClient.ProblemAsync(await tenant.Admin.GetAsync($"{tenant.Base}/skill-groups/{group}"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_conversation_goes_from_queue_to_offer_to_answer_to_end_and_complete_with_messages_on_record()
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        var group = await tenant.AddGroupAsync();
        var (agentId, _, _, token) = await tenant.AddAgentAsync([group]);
        using var agent = ApiClient.Bearer(factory, token);
        using var integration = ApiClient.Bearer(factory, tenant.AdminToken);

        var id = await StartAsync(tenant, group, "visitor-1");
        Assert.Equal(0, (int)(await integration.GetOkAsync($"{tenant.Base}/conversations/{id}"))["queuePosition"]!);
        var presence = await agent.OkAsync(HttpMethod.Put, $"{tenant.Base}/me/presence", new { presence = "online" });
        Assert.Equal("online", (string?)presence["presence"]);
        // Going online tells the group one-way; the offer follows.
        await OfferedAsync(tenant, id);
        Assert.Equal(id, (string?)(await agent.GetOkAsync($"{tenant.Base}/me/offers"))[0]!["conversationId"]);

        var answered = await agent.PostOkAsync($"{tenant.Base}/conversations/{id}/answer");
        Assert.Equal("Active", (string?)answered["status"]);
        Assert.Equal(agentId, (string?)answered["agentId"]);
        Assert.Equal(1, (long)(await integration.PostOkAsync($"{tenant.Base}/conversations/{id}/messages", new { text = "你好", clientMessageId = "c-1" }))["seq"]!);
        var reply = await agent.PostOkAsync($"{tenant.Base}/conversations/{id}/messages", new { text = "How can I help?", clientMessageId = "a-1" });
        Assert.Equal(2, (long)reply["seq"]!);
        var resent = await agent.PostOkAsync($"{tenant.Base}/conversations/{id}/messages", new { text = "How can I help?", clientMessageId = "a-1" });
        Assert.Equal(2, (long)resent["seq"]!);
        Assert.True((bool)resent["duplicate"]!);

        Assert.Equal("Ended", (string?)(await agent.PostOkAsync($"{tenant.Base}/conversations/{id}/end"))["status"]);
        Assert.Equal("Completed", (string?)(await agent.PostOkAsync($"{tenant.Base}/conversations/{id}/complete"))["status"]);
        var record = await integration.GetOkAsync($"{tenant.Base}/conversations/{id}");
        Assert.Equal("Completed", (string?)record["status"]);
        Assert.Equal("AgentEnded", (string?)record["endReason"]);
        var messages = (await integration.GetOkAsync($"{tenant.Base}/conversations/{id}/messages")).AsArray();
        Assert.Equal([("visitor", "你好"), ("agent", "How can I help?")], messages.Select(m => ((string)m!["sender"]!, (string)m["content"]!)));
        await ApiClient.ProblemAsync(await agent.PostAsync($"{tenant.Base}/conversations/{id}/complete"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task An_agent_sees_and_acts_only_on_conversations_they_hold()
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        var group = await tenant.AddGroupAsync("online", 1);
        var (_, _, _, holderToken) = await tenant.AddAgentAsync([group]);
        var (_, _, _, otherToken) = await tenant.AddAgentAsync([group]);
        using var holder = ApiClient.Bearer(factory, holderToken);
        using var other = ApiClient.Bearer(factory, otherToken);
        await holder.OkAsync(HttpMethod.Put, $"{tenant.Base}/me/presence", new { presence = "online" });
        var id = await StartAsync(tenant, group, "v1");
        await OfferedAsync(tenant, id);
        await holder.PostOkAsync($"{tenant.Base}/conversations/{id}/answer");

        await ApiClient.ProblemAsync(await other.GetAsync($"{tenant.Base}/conversations/{id}"), HttpStatusCode.NotFound);
        await ApiClient.ProblemAsync(await other.PostAsync($"{tenant.Base}/conversations/{id}/messages", new { text = "mine now" }), HttpStatusCode.NotFound);
        await ApiClient.ProblemAsync(await other.PostAsync($"{tenant.Base}/conversations/{id}/end"), HttpStatusCode.NotFound);
        Assert.Equal("Active", (string?)(await holder.GetOkAsync($"{tenant.Base}/conversations/{id}"))["status"]);
    }

    [Fact]
    public async Task AS5_a_completion_whose_save_failed_after_the_agents_step_is_finished_by_asking_again()
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        var group = await tenant.AddGroupAsync("online", 1);
        var (agentId, _, _, token) = await tenant.AddAgentAsync([group]);
        using var agent = ApiClient.Bearer(factory, token);
        await agent.OkAsync(HttpMethod.Put, $"{tenant.Base}/me/presence", new { presence = "online" });
        var id = await StartAsync(tenant, group, "v1");
        await OfferedAsync(tenant, id);
        await agent.PostOkAsync($"{tenant.Base}/conversations/{id}/answer");
        await agent.PostOkAsync($"{tenant.Base}/conversations/{id}/end");
        // As after a lost silo: the agent's step of the completion was stored, the conversation's was not.
        await factory.Services.GetRequiredService<IGrainFactory>().Agent(tenant.Id, agentId).Complete(id);

        Assert.Equal("Completed", (string?)(await agent.PostOkAsync($"{tenant.Base}/conversations/{id}/complete"))["status"]);
    }

    [Fact]
    public async Task AS3_An_agents_reservation_the_conversation_has_not_taken_yet_does_not_ring_and_cannot_be_answered()
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        var group = await tenant.AddGroupAsync();
        var other = await tenant.AddGroupAsync();
        var (agentId, _, _, token) = await tenant.AddAgentAsync([group]);
        using var agent = ApiClient.Bearer(factory, token);
        await agent.OkAsync(HttpMethod.Put, $"{tenant.Base}/me/presence", new { presence = "online" });
        var waiting = await StartAsync(tenant, other, "v1");
        // The agent holds a place for it, as between a group's reservation and the conversation taking the offer.
        var reservation = await factory.Services.GetRequiredService<IGrainFactory>().Agent(tenant.Id, agentId).TryReserve(waiting, group);
        Assert.Equal(ReserveOutcome.Reserved, reservation.Outcome);

        Assert.Empty((await agent.GetOkAsync($"{tenant.Base}/me/offers")).AsArray());
        await ApiClient.ProblemAsync(await agent.PostAsync($"{tenant.Base}/conversations/{waiting}/answer"), HttpStatusCode.NotFound);
        Assert.Equal("Queued", (string?)(await tenant.Admin.GetOkAsync($"{tenant.Base}/conversations/{waiting}"))["status"]);
    }

    [Fact]
    public async Task Unknown_conversation_ids_answer_404_and_a_burst_of_them_activates_no_grain()
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        var (_, _, _, agentToken) = await tenant.AddAgentAsync();
        using var agent = ApiClient.Bearer(factory, agentToken);
        await agent.OkAsync(HttpMethod.Put, $"{tenant.Base}/me/presence", new { presence = "online" });
        var management = factory.Services.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0);
        var before = await management.GetTotalActivationCount();

        var ids = Enumerable.Range(0, 2_000).Select(_ => Guid.NewGuid().ToString("N")).ToArray();
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (id, _) =>
            Assert.Equal(HttpStatusCode.NotFound, (await tenant.Admin.GetAsync($"{tenant.Base}/conversations/{id}")).StatusCode));
        foreach (var id in ids.Take(20))
        {
            await ApiClient.ProblemAsync(await tenant.Admin.GetAsync($"{tenant.Base}/conversations/{id}/messages"), HttpStatusCode.NotFound);
            await ApiClient.ProblemAsync(await tenant.Admin.PostAsync($"{tenant.Base}/conversations/{id}/messages", new { text = "hello?" }), HttpStatusCode.NotFound);
            await ApiClient.ProblemAsync(await agent.PostAsync($"{tenant.Base}/conversations/{id}/answer"), HttpStatusCode.NotFound);
            await ApiClient.ProblemAsync(await agent.PostAsync($"{tenant.Base}/conversations/{id}/complete"), HttpStatusCode.NotFound);
        }

        var after = await management.GetTotalActivationCount();
        Assert.True(after <= before, $"activations {before} -> {after}");
    }

    [Fact]
    public async Task AS2_presence_moves_between_online_break_and_offline_and_forced_offline_requeues_what_the_agent_held()
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        var group = await tenant.AddGroupAsync();
        var (_, _, _, token) = await tenant.AddAgentAsync([group]);
        using var agent = ApiClient.Bearer(factory, token);
        Assert.Equal("Idle", (string?)(await agent.OkAsync(HttpMethod.Put, $"{tenant.Base}/me/presence", new { presence = "online" }))["status"]);
        Assert.Equal("Idle", (string?)(await agent.OkAsync(HttpMethod.Put, $"{tenant.Base}/me/presence", new { presence = "online" }))["status"]);
        var onBreak = await agent.OkAsync(HttpMethod.Put, $"{tenant.Base}/me/presence", new { presence = "break" });
        Assert.Equal(("Break", "Chosen"), ((string?)onBreak["status"], (string?)onBreak["breakReason"]));
        await agent.OkAsync(HttpMethod.Put, $"{tenant.Base}/me/presence", new { presence = "online" });

        var id = await StartAsync(tenant, group, "v1");
        await OfferedAsync(tenant, id);
        await agent.PostOkAsync($"{tenant.Base}/conversations/{id}/answer");
        await ApiClient.ProblemAsync(await agent.SendAsync(HttpMethod.Put, $"{tenant.Base}/me/presence", new { presence = "offline" }), HttpStatusCode.Conflict);
        Assert.Equal("Offline", (string?)(await agent.OkAsync(HttpMethod.Put, $"{tenant.Base}/me/presence", new { presence = "offline", force = true }))["status"]);
        Assert.Equal("Queued", (string?)(await tenant.Admin.GetOkAsync($"{tenant.Base}/conversations/{id}"))["status"]);
        await ApiClient.FieldErrorAsync(await agent.SendAsync(HttpMethod.Put, $"{tenant.Base}/me/presence", new { presence = "asleep" }), "presence");
    }

    [Fact]
    public async Task Starting_a_conversation_checks_the_group_and_the_mode()
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        var phone = await tenant.AddGroupAsync("phone", null);
        await ApiClient.FieldErrorAsync(await tenant.Admin.PostAsync($"{tenant.Base}/conversations", new { skillGroupId = phone, visitorId = "v", mode = "online" }), "mode");
        await ApiClient.FieldErrorAsync(await tenant.Admin.PostAsync($"{tenant.Base}/conversations", new { skillGroupId = "missing", visitorId = "v", mode = "phone" }), "skillGroupId");
        await ApiClient.FieldErrorAsync(await tenant.Admin.PostAsync($"{tenant.Base}/conversations", new { skillGroupId = phone, mode = "phone" }), "visitorId");
        await ApiClient.FieldErrorAsync(await tenant.Admin.PostAsync($"{tenant.Base}/conversations", "{\"skillGroupId\": 5}"), "skillGroupId");
    }

    /// <summary>The offer reaches the conversation one-way, a moment after the agent reserved it: wait for it as a client would.</summary>
    [Fact]
    public async Task AS6_AS8_A_call_is_hung_up_then_continued_or_wrapped_up_through_the_REST_routes_and_the_agent_reads_their_own_records()
    {
        using var tenant = await TestTenant.CreateAsync(factory);
        var hotline = await tenant.AddGroupAsync("phone", null, name: "热线");
        var (_, _, _, token) = await tenant.AddAgentAsync([hotline]);
        var (_, _, _, otherToken) = await tenant.AddAgentAsync([]);
        using var agent = ApiClient.Bearer(factory, token);
        await agent.OkAsync(HttpMethod.Put, $"{tenant.Base}/me/presence", new { presence = "online" });
        async Task<string> CallAsync(string caller)
        {
            var id = (string)(await tenant.Admin.PostOkAsync($"{tenant.Base}/conversations", new { skillGroupId = hotline, visitorId = caller, mode = "phone" }))["id"]!;
            await OfferedAsync(tenant, id);
            await agent.PostOkAsync($"{tenant.Base}/conversations/{id}/answer");
            Assert.Equal("Ended", (string)(await agent.PostOkAsync($"{tenant.Base}/conversations/{id}/hang-up"))["status"]!);
            return id;
        }
        string Presence(System.Text.Json.Nodes.JsonNode p) => (string)p["status"]!;

        // Wrap-up (话后整理): WrapUp until ended from the menu, then Idle and the call complete.
        var first = await CallAsync("+8613800000001");
        await agent.PostOkAsync($"{tenant.Base}/conversations/{first}/wrap-up");
        Assert.Equal("WrapUp", Presence(await agent.GetOkAsync($"{tenant.Base}/me/presence")));
        Assert.Equal("Completed", (string)(await agent.PostOkAsync($"{tenant.Base}/conversations/{first}/wrap-up/finish"))["status"]!);
        Assert.Equal("Idle", Presence(await agent.GetOkAsync($"{tenant.Base}/me/presence")));

        // Continue (继续接听): Idle at once.
        var second = await CallAsync("+8613800000002");
        Assert.Equal("Completed", (string)(await agent.PostOkAsync($"{tenant.Base}/conversations/{second}/continue"))["status"]!);
        Assert.Equal("Idle", Presence(await agent.GetOkAsync($"{tenant.Base}/me/presence")));

        // AS-8: the agent's own records, newest first, one page at a time; by group and time range.
        var all = (await agent.GetOkAsync($"{tenant.Base}/me/records"))["records"]!.AsArray();
        Assert.Equal([second, first], all.Select(r => (string)r!["conversationId"]!));
        Assert.All(all, r => Assert.Equal(("phone", "热线", true, "inbound"), ((string)r!["mode"]!, (string)r["skillGroupName"]!, (bool)r["answered"]!, (string)r["callType"]!)));
        Assert.Equal("+8613800000002", (string)all[0]!["customer"]!);
        var page = await agent.GetOkAsync($"{tenant.Base}/me/records?limit=1");
        Assert.Equal(second, (string)page["records"]![0]!["conversationId"]!);
        var next = await agent.GetOkAsync($"{tenant.Base}/me/records?limit=1&after={Uri.EscapeDataString((string)page["next"]!)}");
        Assert.Equal([first], next["records"]!.AsArray().Select(r => (string)r!["conversationId"]!));
        Assert.Empty((await agent.GetOkAsync($"{tenant.Base}/me/records?skillGroupId=another"))["records"]!.AsArray());
        var tomorrow = Uri.EscapeDataString(DateTimeOffset.UtcNow.AddDays(1).ToString("O"));
        Assert.Empty((await agent.GetOkAsync($"{tenant.Base}/me/records?from={tomorrow}"))["records"]!.AsArray());
        Assert.Equal(2, (await agent.GetOkAsync($"{tenant.Base}/me/records?to={tomorrow}"))["records"]!.AsArray().Count);
        using var other = ApiClient.Bearer(factory, otherToken);
        Assert.Empty((await other.GetOkAsync($"{tenant.Base}/me/records"))["records"]!.AsArray());
        await ApiClient.FieldErrorAsync(await agent.GetAsync($"{tenant.Base}/me/records?after=nonsense"), "after");
        await ApiClient.FieldErrorAsync(await agent.GetAsync($"{tenant.Base}/me/records?from={tomorrow}&to={tomorrow}"), "to");
        await ApiClient.FieldErrorAsync(await agent.GetAsync($"{tenant.Base}/me/records?limit=500"), "limit");
    }

    private static async Task OfferedAsync(TestTenant tenant, string id)
        => Assert.True(await Engine.Driver.ContactCenter.EventuallyAsync(
            async () => (string?)(await tenant.Admin.GetOkAsync($"{tenant.Base}/conversations/{id}"))["status"] == "Offered", TimeSpan.FromSeconds(10), CancellationToken.None));

    private static async Task<string> StartAsync(TestTenant tenant, string group, string visitor)
        => (string)(await tenant.Admin.PostOkAsync($"{tenant.Base}/conversations", new { skillGroupId = group, visitorId = visitor, mode = "online" }))["id"]!;
}

public sealed class RoutingApiOnSqliteTests(EngineFactory factory) : RoutingApiContract(factory), IClassFixture<EngineFactory>;

public sealed class RoutingApiOnPostgresTests(PostgresEngineFactory factory) : RoutingApiContract(factory), IClassFixture<PostgresEngineFactory>;
