using System.Text.Json;
using System.Text.Json.Nodes;
using Engine.Web.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Engine.Web.Tests;

/// <summary>
/// The presence grace: when an agent's last workbench connection drops, the agent stays as they were for the grace
/// (5 s here, on the server's fake clock); back in time, nothing changes; not back, they go offline and their chats go
/// back to the front of their queues.
/// </summary>
public sealed class PresenceTests(PresenceTests.Server factory) : IClassFixture<PresenceTests.Server>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(5);

    public sealed class Server() : FakeClockServer(new DateTimeOffset(2026, 12, 2, 9, 0, 0, TimeSpan.Zero))
    {
        protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
        {
            ["Engine:Presence:GraceSeconds"] = Grace.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
    }

    private async Task<(TestTenant Tenant, ApiClient Agent, string Token, Workbench Workbench, string ConversationId)> AgentInAChatAsync()
    {
        _ = factory.Address;
        var tenant = await TestTenant.CreateAsync(factory);
        var group = await tenant.AddGroupAsync();
        var (_, _, _, token) = await tenant.AddAgentAsync([group]);
        var workbench = await Workbench.ConnectAsync(factory.Address, token);
        await workbench.Connection.InvokeAsync<JsonElement>("SetPresence", "online", false);
        var started = await tenant.Admin.PostOkAsync($"{tenant.Base}/conversations", new { skillGroupId = group, visitorId = "v-" + Guid.NewGuid().ToString("N")[..8], mode = "online" });
        var conversationId = (string)started["id"]!;
        await workbench.Rings.Reader.ReadAsync().AsTask().WaitAsync(Patience);
        await workbench.Connection.InvokeAsync<JsonElement>("Answer", conversationId);
        return (tenant, ApiClient.Bearer(factory, token), token, workbench, conversationId);
    }

    /// <summary>The agent's presence once the server has seen their last workbench go (the grace has started).</summary>
    private async Task<JsonNode> AwayAsync(TestTenant tenant, ApiClient agent)
    {
        using var patience = new CancellationTokenSource(Patience);
        while (true)
        {
            var presence = await agent.GetOkAsync($"{tenant.Base}/me/presence");
            if (presence["workbenchAwaySince"] is not null) return presence;
            patience.Token.ThrowIfCancellationRequested();
        }
    }

    [Fact]
    public async Task An_agent_whose_workbench_is_not_back_within_the_grace_goes_offline_and_their_chat_back_to_the_queue_front()
    {
        var (tenant, agent, _, workbench, conversationId) = await AgentInAChatAsync();
        using var _ = tenant;
        using var __ = agent;
        await workbench.DisposeAsync();
        var away = await AwayAsync(tenant, agent);
        Assert.Equal("online", (string)away["presence"]!);

        // Just before the grace is over: nothing has changed.
        await factory.AdvanceAsync(Grace - TimeSpan.FromSeconds(1));
        Assert.Equal("online", (string)(await agent.GetOkAsync($"{tenant.Base}/me/presence"))["presence"]!);

        await factory.AdvanceAsync(TimeSpan.FromSeconds(2));
        var after = await agent.GetOkAsync($"{tenant.Base}/me/presence");
        Assert.Equal(("offline", 0), ((string)after["presence"]!, (int)after["holding"]!));
        var conversation = await tenant.Admin.GetOkAsync($"{tenant.Base}/conversations/{conversationId}");
        Assert.Equal(("Queued", 0), ((string)conversation["status"]!, (int)conversation["queuePosition"]!));

    }

    [Fact]
    public async Task An_agent_whose_workbench_is_back_within_the_grace_keeps_their_presence_and_chats()
    {
        var (tenant, agent, token, workbench, conversationId) = await AgentInAChatAsync();
        using var _ = tenant;
        using var __ = agent;
        await workbench.DisposeAsync();
        await AwayAsync(tenant, agent);
        await factory.AdvanceAsync(Grace - TimeSpan.FromSeconds(1));

        await using var back = await Workbench.ConnectAsync(factory.Address, token);
        Assert.Null((await agent.GetOkAsync($"{tenant.Base}/me/presence"))["workbenchAwaySince"]);
        await factory.AdvanceAsync(Grace * 2);

        var after = await agent.GetOkAsync($"{tenant.Base}/me/presence");
        Assert.Equal(("online", 1), ((string)after["presence"]!, (int)after["holding"]!));
        var conversation = await tenant.Admin.GetOkAsync($"{tenant.Base}/conversations/{conversationId}");
        Assert.Equal("Active", (string)conversation["status"]!);
    }
}
