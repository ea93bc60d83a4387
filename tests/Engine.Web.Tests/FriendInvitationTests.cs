using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Engine.Web.Admin;
using Engine.Web.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Engine.Web.Tests;

/// <summary>
/// MK-8 friend invitation through the REST API: business cards in a held chat, friends reported by a gateway as the
/// adapter API's <c>friendAdded</c>, counted once per account, agent and customer, per day of the tenant's zone; on
/// SQLite and PostgreSQL. The server runs on a test clock, so that a day's boundary is reached, not waited for.
/// </summary>
public abstract class FriendInvitationContract(FriendInvitationContract.Server factory)
{
    /// <summary>The real server on a clock the tests move (only forward; it starts at the real time).</summary>
    public class Server : EngineFactory
    {
        public FakeTimeProvider FakeClock { get; } = new(DateTimeOffset.UtcNow);

        public override TimeProvider? Clock => FakeClock;
    }

    private sealed record HeldChat(TestTenant Tenant, string AgentId, string StaffNo, ApiClient Agent, string ConversationId) : IDisposable
    {
        public string Card => $"{Tenant.Base}/conversations/{ConversationId}/business-card";

        public void Dispose()
        {
            Agent.Dispose();
            Tenant.Dispose();
        }
    }

    /// <summary>A tenant whose agent (nickname 小王) holds a chat they answered.</summary>
    private async Task<HeldChat> HeldChatAsync()
    {
        var tenant = await TestTenant.CreateAsync(factory);
        var group = await tenant.AddGroupAsync();
        var (agentId, _, _, token) = await tenant.AddAgentAsync([group]);
        var staffNo = (string)(await tenant.Admin.OkAsync(HttpMethod.Patch, $"{tenant.Base}/agents/{agentId}", new { nickname = "小王" }))["staffNo"]!;
        var agent = ApiClient.Bearer(factory, token);
        await agent.OkAsync(HttpMethod.Put, $"{tenant.Base}/me/presence", new { presence = "online" });
        var conversationId = (string)(await tenant.Admin.PostOkAsync($"{tenant.Base}/conversations", new { skillGroupId = group, visitorId = "v-card", mode = "online" }))["id"]!;
        await agent.PostOkAsync($"{tenant.Base}/conversations/{conversationId}/answer");
        return new HeldChat(tenant, agentId, staffNo, agent, conversationId);
    }

    private static async Task<JsonNode> LastMessageAsync(HeldChat chat)
        => (await chat.Agent.GetOkAsync($"{chat.Tenant.Base}/conversations/{chat.ConversationId}/messages")).AsArray()[^1]!;

    [Fact]
    public async Task MK8_An_agent_sends_their_own_business_card_with_the_default_invitation_as_a_card_message()
    {
        using var chat = await HeldChatAsync();
        var ack = await chat.Agent.PostOkAsync(chat.Card, new { });
        Assert.Equal((chat.ConversationId, 1L), ((string)ack["conversationId"]!, (long)ack["seq"]!));
        var card = ack["card"]!;
        Assert.Equal((chat.AgentId, "小王", chat.StaffNo), ((string)card["personId"]!, (string)card["nickname"]!, (string)card["staffNo"]!));
        Assert.StartsWith("Agent ", (string)card["name"]!, StringComparison.Ordinal);
        Assert.Equal("您好，我是小王，加个好友吧，有问题随时找我。", (string)card["text"]!);

        // The message is of kind card; its content is the card as small JSON, the same as the answer's.
        var message = await LastMessageAsync(chat);
        Assert.Equal(("card", "agent", 1L), ((string)message["kind"]!, (string)message["sender"]!, (long)message["seq"]!));
        var content = JsonNode.Parse((string)message["content"]!)!;
        Assert.True(JsonNode.DeepEquals(card, content), content.ToJsonString());
        Assert.Equal(["personId", "name", "nickname", "staffNo", "text"], content.AsObject().Select(p => p.Key));
    }

    [Fact]
    public async Task MK8_An_agent_sends_a_chosen_colleagues_card_with_an_edited_text_of_at_most_200_characters()
    {
        using var chat = await HeldChatAsync();
        var (colleagueId, _, _, _) = await chat.Tenant.AddAgentAsync();
        await chat.Tenant.Admin.OkAsync(HttpMethod.Patch, $"{chat.Tenant.Base}/agents/{colleagueId}", new { name = "李娜", nickname = "" });

        // The agent finds the colleague among the tenant's people: id, name, nickname and staff number, no more.
        var colleagues = (await chat.Agent.GetOkAsync($"{chat.Tenant.Base}/me/colleagues"))["items"]!.AsArray();
        Assert.Equal(new[] { chat.Tenant.AdminId, chat.AgentId, colleagueId }.Order(), colleagues.Select(c => (string)c!["id"]!).Order());
        var colleague = colleagues.Single(c => (string)c!["id"]! == colleagueId)!;
        Assert.Equal("李娜", (string)colleague["name"]!);
        Assert.Null(colleague["email"]);

        var card = (await chat.Agent.PostOkAsync(chat.Card, new { personId = colleagueId, text = "我是{name}，课程问题找我" }))["card"]!;
        Assert.Equal((colleagueId, "李娜", "我是李娜，课程问题找我"), ((string)card["personId"]!, (string)card["name"]!, (string)card["text"]!));
        Assert.Equal(colleagueId, (string)JsonNode.Parse((string)(await LastMessageAsync(chat))["content"]!)!["personId"]!);

        // 200 characters as the customer reads them (the name filled in) pass; 201 do not, and nothing is sent.
        var two00 = "{name}" + new string('好', 198);
        Assert.Equal(200, ((string)(await chat.Agent.PostOkAsync(chat.Card, new { text = two00 }))["card"]!["text"]!).Length);
        Assert.Contains("at most 200", await ApiClient.FieldErrorAsync(await chat.Agent.PostAsync(chat.Card, new { text = two00 + "好" }), "text"), StringComparison.Ordinal);
        await ApiClient.FieldErrorAsync(await chat.Agent.PostAsync(chat.Card, new { text = new string('好', 201) }), "text");
        await ApiClient.FieldErrorAsync(await chat.Agent.PostAsync(chat.Card, new { text = "  " }), "text");
        await ApiClient.FieldErrorAsync(await chat.Agent.PostAsync(chat.Card, new { personId = "nobody" }), "personId");
        using var other = await TestTenant.CreateAsync(factory);
        var (stranger, _, _, _) = await other.AddAgentAsync();
        await ApiClient.FieldErrorAsync(await chat.Agent.PostAsync(chat.Card, new { personId = stranger }), "personId");
        Assert.Equal(2L, (long)(await LastMessageAsync(chat))["seq"]!);
    }

    [Fact]
    public async Task MK8_A_card_in_a_chat_the_caller_does_not_hold_is_not_found()
    {
        using var chat = await HeldChatAsync();
        var (_, _, _, otherToken) = await chat.Tenant.AddAgentAsync();
        using var other = ApiClient.Bearer(factory, otherToken);
        await ApiClient.ProblemAsync(await other.PostAsync(chat.Card, new { }), HttpStatusCode.NotFound);
        // An admin does not hold it either; an unknown conversation is not there for anyone.
        await ApiClient.ProblemAsync(await chat.Tenant.Admin.PostAsync(chat.Card, new { }), HttpStatusCode.NotFound);
        await ApiClient.ProblemAsync(await chat.Agent.PostAsync($"{chat.Tenant.Base}/conversations/nope/business-card", new { }), HttpStatusCode.NotFound);
        Assert.Empty((await chat.Agent.GetOkAsync($"{chat.Tenant.Base}/conversations/{chat.ConversationId}/messages")).AsArray());
    }

    private sealed record Accounts(TestTenant Tenant, string Shop, string Live, string Ann, string Bob, string Key, string Token) : IDisposable
    {
        public string Friends => $"{Tenant.Base}/marketing-accounts/friends";

        public void Dispose() => Tenant.Dispose();
    }

    /// <summary>A tenant with two marketing accounts, two agents and a WeChat channel whose gateway reports friends.</summary>
    private async Task<Accounts> AccountsAsync()
    {
        var tenant = await TestTenant.CreateAsync(factory);
        var shop = (string)(await tenant.Admin.PostOkAsync($"{tenant.Base}/marketing-accounts", new { name = "旗舰店" }))["id"]!;
        var live = (string)(await tenant.Admin.PostOkAsync($"{tenant.Base}/marketing-accounts", new { name = "直播间" }))["id"]!;
        var (ann, _, _, _) = await tenant.AddAgentAsync();
        var (bob, _, _, _) = await tenant.AddAgentAsync();
        var channel = await tenant.Admin.PostOkAsync($"{tenant.Base}/channels", new { kind = "wechat", name = "公众号", appId = "wx1234567890" });
        return new Accounts(tenant, shop, live, ann, bob, (string)channel["channel"]!["channelKey"]!, (string)channel["token"]!);
    }

    private async Task<HttpResponseMessage> EventAsync(Accounts at, object body, string? token = null)
    {
        using var http = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/channels/{at.Key}/events") { Content = System.Net.Http.Json.JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token ?? at.Token);
        return await http.SendAsync(request);
    }

    private async Task<JsonNode> FriendAddedAsync(Accounts at, string customerId, string accountId, string agentId)
    {
        using var response = await EventAsync(at, new { type = "friendAdded", customerId, accountId, agentId });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"friendAdded answered {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!;
    }

    private static string[] Rows(JsonNode rows)
        => [.. rows.AsArray().Select(r => $"{r!["day"]} {r["accountId"]} {r["agentId"]} {r["friends"]}").Order(StringComparer.Ordinal)];

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task MK8_Friends_are_counted_per_account_agent_and_day_of_the_tenants_zone_split_at_16_00_UTC_in_Shanghai()
    {
        // The next 16:00 UTC (midnight in Shanghai), one second before it.
        var now = factory.FakeClock.GetUtcNow();
        var midnight = new DateTimeOffset(now.UtcDateTime.Date.AddHours(16), TimeSpan.Zero);
        if (midnight <= now.AddSeconds(1)) midnight = midnight.AddDays(1);
        factory.FakeClock.SetUtcNow(midnight.AddSeconds(-1));
        using var at = await AccountsAsync();
        var (before, after) = (Day(DateOnly.FromDateTime(midnight.UtcDateTime)), Day(DateOnly.FromDateTime(midnight.UtcDateTime).AddDays(1)));

        Assert.Equal(midnight.AddSeconds(-1), DateTimeOffset.Parse((string)(await FriendAddedAsync(at, "openid-1", at.Shop, at.Ann))["addedAt"]!, System.Globalization.CultureInfo.InvariantCulture));
        factory.FakeClock.SetUtcNow(midnight);
        await FriendAddedAsync(at, "openid-2", at.Shop, at.Ann);
        await FriendAddedAsync(at, "openid-3", at.Shop, at.Ann);
        await FriendAddedAsync(at, "openid-1", at.Shop, at.Bob);
        await FriendAddedAsync(at, "openid-1", at.Live, at.Ann);

        using var admin = ApiClient.Bearer(factory, at.Tenant.AdminToken);
        string[] all = [$"{before} {at.Shop} {at.Ann} 1", $"{after} {at.Live} {at.Ann} 1", $"{after} {at.Shop} {at.Ann} 2", $"{after} {at.Shop} {at.Bob} 1"];
        Assert.Equal(all.Order(StringComparer.Ordinal), Rows(await admin.GetOkAsync($"{at.Friends}?from={before}&to={after}")));
        // Rows come ordered by day, account and agent.
        Assert.Equal(before, (string)(await admin.GetOkAsync($"{at.Friends}?from={before}&to={after}"))[0]!["day"]!);
        Assert.Equal([all[0]], Rows(await admin.GetOkAsync($"{at.Friends}?from={before}&to={before}")));
        Assert.Equal(new[] { all[2], all[0] }.Order(StringComparer.Ordinal), Rows(await admin.GetOkAsync($"{at.Friends}?from={before}&to={after}&accountId={at.Shop}&agentId={at.Ann}")));
        Assert.Equal([all[3]], Rows(await admin.GetOkAsync($"{at.Friends}?from={before}&to={after}&agentId={at.Bob}")));
        // Without dates: today in the tenant's zone, which has just begun in Shanghai.
        Assert.Equal(all[1..].Order(StringComparer.Ordinal), Rows(await admin.GetOkAsync(at.Friends)));

        // In Berlin both instants are the afternoon of the same day.
        await admin.OkAsync(HttpMethod.Patch, at.Tenant.Base, new { timeZone = "Europe/Berlin" });
        Assert.Equal(
            new[] { $"{before} {at.Shop} {at.Ann} 3", $"{before} {at.Live} {at.Ann} 1", $"{before} {at.Shop} {at.Bob} 1" }.Order(StringComparer.Ordinal),
            Rows(await admin.GetOkAsync($"{at.Friends}?from={before}&to={after}")));
    }

    [Fact]
    public async Task MK8_A_friendAdded_event_sent_again_counts_once_and_answers_with_the_first_time()
    {
        using var at = await AccountsAsync();
        var first = await FriendAddedAsync(at, "openid-9", at.Shop, at.Ann);
        Assert.False((bool)first["duplicate"]!);
        Assert.Equal(("openid-9", at.Shop, at.Ann), ((string)first["customerId"]!, (string)first["accountId"]!, (string)first["agentId"]!));
        factory.FakeClock.Advance(TimeSpan.FromMinutes(5));
        var again = await FriendAddedAsync(at, "openid-9", at.Shop, at.Ann);
        Assert.True((bool)again["duplicate"]!);
        Assert.Equal((string)first["addedAt"]!, (string)again["addedAt"]!);

        using var admin = ApiClient.Bearer(factory, at.Tenant.AdminToken);
        var rows = (await admin.GetOkAsync(at.Friends)).AsArray();
        Assert.Equal(1, rows.Sum(r => (int)r!["friends"]!));
    }

    [Fact]
    public async Task MK8_The_same_friendAdded_event_sent_in_parallel_counts_once()
    {
        using var at = await AccountsAsync();
        var answers = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => FriendAddedAsync(at, "openid-race", at.Live, at.Bob)));
        Assert.Equal(1, answers.Count(a => !(bool)a["duplicate"]!));
        Assert.Single(answers.Select(a => (string)a["addedAt"]!).Distinct());

        using var admin = ApiClient.Bearer(factory, at.Tenant.AdminToken);
        var rows = (await admin.GetOkAsync(at.Friends)).AsArray();
        Assert.Equal((at.Live, at.Bob, 1), ((string)rows.Single()!["accountId"]!, (string)rows.Single()!["agentId"]!, (int)rows.Single()!["friends"]!));
    }

    [Fact]
    public async Task MK8_A_bad_friendAdded_event_is_refused_naming_the_field_and_counts_nothing()
    {
        using var at = await AccountsAsync();
        using var other = await TestTenant.CreateAsync(factory);
        var theirAccount = (string)(await other.Admin.PostOkAsync($"{other.Base}/marketing-accounts", new { name = "别家" }))["id"]!;
        var (theirAgent, _, _, _) = await other.AddAgentAsync();
        var (gone, _, _, _) = await at.Tenant.AddAgentAsync();
        Assert.Equal(HttpStatusCode.NoContent, (await at.Tenant.Admin.SendAsync(HttpMethod.Delete, $"{at.Tenant.Base}/agents/{gone}")).StatusCode);

        await ApiClient.FieldErrorAsync(await EventAsync(at, new { type = "friendAdded", customerId = "c", agentId = at.Ann }), "accountId");
        await ApiClient.FieldErrorAsync(await EventAsync(at, new { type = "friendAdded", customerId = "c", accountId = at.Shop }), "agentId");
        await ApiClient.FieldErrorAsync(await EventAsync(at, new { type = "friendAdded", accountId = at.Shop, agentId = at.Ann }), "customerId");
        await ApiClient.FieldErrorAsync(await EventAsync(at, new { type = "friendAdded", customerId = "c", accountId = "nope", agentId = at.Ann }), "accountId");
        await ApiClient.FieldErrorAsync(await EventAsync(at, new { type = "friendAdded", customerId = "c", accountId = theirAccount, agentId = at.Ann }), "accountId");
        await ApiClient.FieldErrorAsync(await EventAsync(at, new { type = "friendAdded", customerId = "c", accountId = at.Shop, agentId = theirAgent }), "agentId");
        await ApiClient.FieldErrorAsync(await EventAsync(at, new { type = "friendAdded", customerId = "c", accountId = at.Shop, agentId = gone }), "agentId");
        await ApiClient.FieldErrorAsync(await EventAsync(at, new { type = "friendAdded", customerId = "c", accountId = at.Shop, agentId = at.Ann, since = "yesterday" }), "since");
        await ApiClient.ProblemAsync(await EventAsync(at, new { type = "friendAdded", customerId = "c", accountId = at.Shop, agentId = at.Ann }, token: "chn_wrong"), HttpStatusCode.Unauthorized);

        using var admin = ApiClient.Bearer(factory, at.Tenant.AdminToken);
        Assert.Empty((await admin.GetOkAsync(at.Friends)).AsArray());
    }

    [Fact]
    public async Task MK8_Friends_per_day_are_for_admins_and_take_local_dates_of_at_most_366_days()
    {
        using var at = await AccountsAsync();
        var (_, _, _, agentToken) = await at.Tenant.AddAgentAsync();
        using var agent = ApiClient.Bearer(factory, agentToken);
        await ApiClient.ProblemAsync(await agent.GetAsync(at.Friends), HttpStatusCode.Forbidden);

        using var admin = ApiClient.Bearer(factory, at.Tenant.AdminToken);
        await ApiClient.FieldErrorAsync(await admin.GetAsync($"{at.Friends}?from=2026-13-01&to=2026-12-31"), "from");
        await ApiClient.FieldErrorAsync(await admin.GetAsync($"{at.Friends}?from=2026-12-01T00:00:00Z"), "from");
        await ApiClient.FieldErrorAsync(await admin.GetAsync($"{at.Friends}?from=2026-03-02&to=2026-03-01"), "to");
        Assert.Contains("366", await ApiClient.FieldErrorAsync(await admin.GetAsync($"{at.Friends}?from=2024-01-01&to=2025-01-01"), "to"), StringComparison.Ordinal);
        Assert.Empty((await admin.GetOkAsync($"{at.Friends}?from=2024-01-01&to=2024-12-31")).AsArray());
    }
}

public sealed class FriendInvitationOnSqliteTests(FriendInvitationOnSqliteTests.Sqlite factory) : FriendInvitationContract(factory), IClassFixture<FriendInvitationOnSqliteTests.Sqlite>
{
    public sealed class Sqlite : Server;
}

public sealed class FriendInvitationOnPostgresTests(FriendInvitationOnPostgresTests.Postgres factory) : FriendInvitationContract(factory), IClassFixture<FriendInvitationOnPostgresTests.Postgres>
{
    public sealed class Postgres : Server
    {
        public override string Store => "postgres";
    }
}
