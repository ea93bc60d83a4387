using Engine.Grains.Routing;
using Engine.Routing;
using Engine.Web.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Engine.Web.Tests;

/// <summary>
/// MK-3 with RT-2 and RT-3: an account's visitors go through its group's queue and reservations, by the account's own
/// rule (轮流分配 or 空闲分配) and last-agent priority, set through the REST API.
/// </summary>
public sealed class MarketingRoutingTests(MarketingRoutingTests.Server factory) : IClassFixture<MarketingRoutingTests.Server>
{
    public sealed class Server : EngineFactory;

    private sealed record Account(TestTenant Tenant, string Id, IReadOnlyDictionary<string, ApiClient> Agents) : IDisposable
    {
        public void Dispose()
        {
            foreach (var agent in Agents.Values) agent.Dispose();
            Tenant.Dispose();
        }
    }

    private async Task<Account> AccountAsync(string allocation, bool lastAgentPriority)
    {
        var tenant = await TestTenant.CreateAsync(factory);
        var agents = new Dictionary<string, ApiClient>(StringComparer.Ordinal);
        for (var i = 0; i < 2; i++)
        {
            var (id, _, _, token) = await tenant.AddAgentAsync();
            agents[id] = ApiClient.Bearer(factory, token);
            await agents[id].OkAsync(HttpMethod.Put, $"{tenant.Base}/me/presence", new { presence = "online" });
        }
        var account = (string)(await tenant.Admin.PostOkAsync($"{tenant.Base}/marketing-accounts", new { name = "路由", rule = new { allocation, lastAgentPriority, cap = 10 } }))["id"]!;
        await tenant.Admin.OkAsync(HttpMethod.Put, $"{tenant.Base}/marketing-accounts/{account}/staff", new { agentIds = agents.Keys });
        return new Account(tenant, account, agents);
    }

    /// <summary>A visitor arrives at the account; returns the conversation and the agent it was offered to, who answers it.</summary>
    private async Task<(string Conversation, string Agent)> ArriveAsync(Account account, string visitor)
    {
        var conversation = Guid.NewGuid().ToString("N");
        var started = await factory.Services.GetRequiredService<IGrainFactory>().Conversation(account.Tenant.Id, conversation).Start(visitor, ServiceMode.Online, account.Id);
        var agent = started.Conversation.AgentId ?? throw new Xunit.Sdk.XunitException($"conversation of {visitor} was queued at {started.Position}, not offered");
        await account.Agents[agent].PostOkAsync($"{account.Tenant.Base}/conversations/{conversation}/answer");
        return (conversation, agent);
    }

    private static async Task FinishAsync(Account account, string conversation, string agent)
    {
        await account.Agents[agent].PostOkAsync($"{account.Tenant.Base}/conversations/{conversation}/end");
        await account.Agents[agent].PostOkAsync($"{account.Tenant.Base}/conversations/{conversation}/complete");
    }

    [Theory]
    [InlineData("roundRobin", true)]
    [InlineData("idle", false)]
    public async Task MK3_RT2_Round_robin_takes_turns_while_idle_allocation_takes_the_agent_with_fewest_chats(string allocation, bool thirdToFirst)
    {
        using var account = await AccountAsync(allocation, lastAgentPriority: false);
        var (_, first) = await ArriveAsync(account, "v1");
        var (second_conversation, second) = await ArriveAsync(account, "v2");
        Assert.NotEqual(first, second);
        // The second agent is free again; the first still chats.
        await FinishAsync(account, second_conversation, second);
        var (_, third) = await ArriveAsync(account, "v3");
        // 轮流分配: the first agent's turn, whatever their load; 空闲分配: the agent with fewer chats.
        Assert.Equal(thirdToFirst ? first : second, third);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task MK3_RT3_A_returning_visitor_goes_to_their_last_agent_only_with_last_agent_priority_on(bool lastAgentPriority)
    {
        using var account = await AccountAsync("roundRobin", lastAgentPriority);
        var (conversation, first) = await ArriveAsync(account, "returning");
        await FinishAsync(account, conversation, first);
        // Round robin alone gives the next visitor to the other agent.
        var (_, again) = await ArriveAsync(account, "returning");
        Assert.Equal(lastAgentPriority, again == first);
    }

    [Fact]
    public async Task MK3_An_agent_takes_no_more_of_the_accounts_visitors_than_its_cap()
    {
        using var account = await AccountAsync("idle", lastAgentPriority: false);
        await account.Tenant.Admin.OkAsync(HttpMethod.Patch, $"{account.Tenant.Base}/marketing-accounts/{account.Id}", new { rule = new { cap = 1 } });
        var one = await ArriveAsync(account, "c1");
        var two = await ArriveAsync(account, "c2");
        Assert.NotEqual(one.Agent, two.Agent);
        var grains = factory.Services.GetRequiredService<IGrainFactory>();
        var third = await grains.Conversation(account.Tenant.Id, Guid.NewGuid().ToString("N")).Start("c3", ServiceMode.Online, account.Id);
        Assert.Equal((null, 0), (third.Conversation.AgentId, third.Position));
        // A freed place takes the waiting visitor at once (the offer reaches the conversation one-way, a moment later).
        await FinishAsync(account, one.Conversation, one.Agent);
        Assert.True(await Engine.Driver.ContactCenter.EventuallyAsync(
            async () => (await grains.Conversation(account.Tenant.Id, third.Conversation.Id).GetSnapshot())?.AgentId == one.Agent, TimeSpan.FromSeconds(10), CancellationToken.None));
    }
}
