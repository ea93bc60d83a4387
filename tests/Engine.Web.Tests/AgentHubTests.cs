using System.Text.Json;
using System.Threading.Channels;
using Engine.Web.Tests.Support;
using Microsoft.AspNetCore.SignalR.Client;

namespace Engine.Web.Tests;

/// <summary>
/// The agent workbench hub on the real Kestrel server with the .NET SignalR client: the agent's grain pushes what the
/// workbench shows through the silo's observer to the agent's connections.
/// </summary>
public sealed class AgentHubTests(KestrelEngineFactory factory) : IClassFixture<KestrelEngineFactory>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    private sealed class Workbench : IAsyncDisposable
    {
        public required HubConnection Connection { get; init; }
        public Channel<JsonElement> Statuses { get; } = Channel.CreateUnbounded<JsonElement>();
        public Channel<JsonElement> Rings { get; } = Channel.CreateUnbounded<JsonElement>();
        public Channel<JsonElement> Withdrawn { get; } = Channel.CreateUnbounded<JsonElement>();

        public static async Task<Workbench> ConnectAsync(Uri server, string token, string? origin = null)
        {
            var connection = new HubConnectionBuilder()
                .WithUrl(new Uri(server, "/hubs/agent"), o =>
                {
                    o.AccessTokenProvider = () => Task.FromResult<string?>(token);
                    if (origin is not null) o.Headers["Origin"] = origin;
                })
                .Build();
            var workbench = new Workbench { Connection = connection };
            connection.On<JsonElement>("status", p => workbench.Statuses.Writer.TryWrite(p));
            connection.On<JsonElement>("offerRinging", p => workbench.Rings.Writer.TryWrite(p));
            connection.On<JsonElement>("offerWithdrawn", p => workbench.Withdrawn.Writer.TryWrite(p));
            await connection.StartAsync();
            // As a workbench does: the snapshot first. Its answer also means the connection is set up on the server
            // (the hub runs a call only after the connection's set-up), so every push after it arrives.
            await connection.InvokeAsync<JsonElement>("Snapshot");
            return workbench;
        }

        public ValueTask DisposeAsync() => Connection.DisposeAsync();
    }

    [Fact]
    public async Task AS3_The_workbench_hears_the_agent_go_online_and_an_offer_ring()
    {
        var address = factory.Address;
        using var tenant = await TestTenant.CreateAsync(factory);
        var group = await tenant.AddGroupAsync();
        var (agentId, _, _, token) = await tenant.AddAgentAsync([group]);
        await using var workbench = await Workbench.ConnectAsync(address, token);

        using var agent = ApiClient.Bearer(factory, token);
        await agent.OkAsync(HttpMethod.Put, $"{tenant.Base}/me/presence", new { presence = "online" });
        var status = await workbench.Statuses.Reader.ReadAsync().AsTask().WaitAsync(Patience);
        Assert.Equal((agentId, "Idle"), (status.GetProperty("agentId").GetString(), status.GetProperty("status").GetString()));

        var started = await tenant.Admin.PostOkAsync($"{tenant.Base}/conversations", new { skillGroupId = group, visitorId = "v-hub", mode = "online" });
        var conversationId = (string)started["id"]!;
        var ring = await workbench.Rings.Reader.ReadAsync().AsTask().WaitAsync(Patience);
        Assert.Equal((conversationId, group), (ring.GetProperty("conversationId").GetString(), ring.GetProperty("groupId").GetString()));

        // The snapshot a workbench reads on (re)connecting holds the offer too.
        var snapshot = await workbench.Connection.InvokeAsync<JsonElement>("Snapshot");
        Assert.Contains(conversationId, snapshot.GetProperty("work").ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_agents_workbench_hears_nothing_of_this_agents_offers()
    {
        var address = factory.Address;
        using var tenant = await TestTenant.CreateAsync(factory);
        var group = await tenant.AddGroupAsync();
        var (_, _, _, token) = await tenant.AddAgentAsync([group]);
        var (_, _, _, otherToken) = await tenant.AddAgentAsync([]);
        await using var other = await Workbench.ConnectAsync(address, otherToken);
        await using var workbench = await Workbench.ConnectAsync(address, token);
        using var agent = ApiClient.Bearer(factory, token);
        await agent.OkAsync(HttpMethod.Put, $"{tenant.Base}/me/presence", new { presence = "online" });
        await tenant.Admin.PostOkAsync($"{tenant.Base}/conversations", new { skillGroupId = group, visitorId = "v-other", mode = "online" });
        await workbench.Rings.Reader.ReadAsync().AsTask().WaitAsync(Patience);

        Assert.False(other.Rings.Reader.TryRead(out _));
        Assert.False(other.Statuses.Reader.TryRead(out _));
    }

    [Fact]
    public async Task A_workbench_connects_from_the_servers_own_pages_and_from_no_other_origin()
    {
        var address = factory.Address;
        using var tenant = await TestTenant.CreateAsync(factory);
        var (_, _, _, token) = await tenant.AddAgentAsync([]);
        await using (var own = await Workbench.ConnectAsync(address, token, origin: $"{address.Scheme}://{address.Authority}"))
            Assert.Equal(HubConnectionState.Connected, own.Connection.State);

        var refused = await Record.ExceptionAsync(async () => await (await Workbench.ConnectAsync(address, token, origin: "https://evil.example")).DisposeAsync());
        Assert.NotNull(refused);
    }

    [Fact]
    public async Task A_workbench_that_reconnects_after_its_last_connection_closed_hears_the_agent_again()
    {
        var address = factory.Address;
        using var tenant = await TestTenant.CreateAsync(factory);
        var group = await tenant.AddGroupAsync();
        var (_, _, _, token) = await tenant.AddAgentAsync([group]);
        await (await Workbench.ConnectAsync(address, token)).DisposeAsync();
        await using var again = await Workbench.ConnectAsync(address, token);

        using var agent = ApiClient.Bearer(factory, token);
        await agent.OkAsync(HttpMethod.Put, $"{tenant.Base}/me/presence", new { presence = "online" });
        var status = await again.Statuses.Reader.ReadAsync().AsTask().WaitAsync(Patience);
        Assert.Equal("Idle", status.GetProperty("status").GetString());
    }
}
