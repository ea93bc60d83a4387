using System.Text.Json;
using Engine.Web.Tests.Support;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Engine.Web.Tests;

/// <summary>
/// The agent workbench hub on the real Kestrel server with the .NET SignalR client: the agent's grain pushes what the
/// workbench shows through the silo's observer to the agent's connections.
/// </summary>
public sealed class AgentHubTests(KestrelEngineFactory factory) : IClassFixture<KestrelEngineFactory>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

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

    /// <summary>An agent online in a group, with their workbench connected and an answered conversation started by an admin.</summary>
    private async Task<(TestTenant Tenant, string AgentId, string Token, Workbench Workbench, string ConversationId)> AnsweredChatAsync()
    {
        _ = factory.Address;
        var tenant = await TestTenant.CreateAsync(factory);
        var group = await tenant.AddGroupAsync();
        var (agentId, _, _, token) = await tenant.AddAgentAsync([group]);
        var workbench = await Workbench.ConnectAsync(factory.Address, token);
        await workbench.Connection.InvokeAsync<JsonElement>("SetPresence", "online", false);
        var started = await tenant.Admin.PostOkAsync($"{tenant.Base}/conversations", new { skillGroupId = group, visitorId = "v-" + Guid.NewGuid().ToString("N")[..8], mode = "online" });
        var conversationId = (string)started["id"]!;
        await workbench.Rings.Reader.ReadAsync().AsTask().WaitAsync(Patience);
        var answered = await workbench.Connection.InvokeAsync<JsonElement>("Answer", conversationId);
        Assert.Equal("Active", answered.GetProperty("status").GetString());
        return (tenant, agentId, token, workbench, conversationId);
    }

    [Fact]
    public async Task Messages_reach_the_workbench_numbered_and_a_reconnected_one_gets_what_it_missed_once()
    {
        var (tenant, _, token, workbench, conversationId) = await AnsweredChatAsync();
        using var _ = tenant;
        var messages = $"{tenant.Base}/conversations/{conversationId}/messages";
        await tenant.Admin.PostOkAsync(messages, new { text = "你好" });
        await tenant.Admin.PostOkAsync(messages, new { text = "second" });
        var first = await workbench.Messages.Reader.ReadAsync().AsTask().WaitAsync(Patience);
        var second = await workbench.Messages.Reader.ReadAsync().AsTask().WaitAsync(Patience);
        Assert.Equal((1L, "visitor", "你好"), (first.GetProperty("seq").GetInt64(), first.GetProperty("sender").GetString(), first.GetProperty("content").GetString()));
        Assert.Equal((2L, conversationId), (second.GetProperty("seq").GetInt64(), second.GetProperty("conversationId").GetString()));

        // The workbench drops; the customer goes on writing; it comes back and asks for what came after its last number.
        await workbench.DisposeAsync();
        await tenant.Admin.PostOkAsync(messages, new { text = "third" });
        await tenant.Admin.PostOkAsync(messages, new { text = "fourth" });
        await using var again = await Workbench.ConnectAsync(factory.Address, token);
        var missed = await again.Connection.InvokeAsync<JsonElement>("Messages", conversationId, 2L);
        Assert.Equal(["3:third", "4:fourth"], missed.EnumerateArray().Select(m => $"{m.GetProperty("seq").GetInt64()}:{m.GetProperty("content").GetString()}"));

        // The agent's own message comes back numbered to every workbench of theirs; a resend is the same message.
        var ack = await again.Connection.InvokeAsync<JsonElement>("Send", conversationId, "agent here", "c-1");
        var resend = await again.Connection.InvokeAsync<JsonElement>("Send", conversationId, "agent here", "c-1");
        Assert.Equal((5L, false), (ack.GetProperty("seq").GetInt64(), ack.GetProperty("duplicate").GetBoolean()));
        Assert.Equal((5L, true), (resend.GetProperty("seq").GetInt64(), resend.GetProperty("duplicate").GetBoolean()));
        var own = await again.Messages.Reader.ReadAsync().AsTask().WaitAsync(Patience);
        Assert.Equal((5L, "agent"), (own.GetProperty("seq").GetInt64(), own.GetProperty("sender").GetString()));
        var all = await again.Connection.InvokeAsync<JsonElement>("Messages", conversationId, 0L);
        Assert.Equal([1L, 2L, 3L, 4L, 5L], all.EnumerateArray().Select(m => m.GetProperty("seq").GetInt64()));
    }

    [Fact]
    public async Task AS5_The_workbench_ends_and_completes_a_chat_and_hears_it_move()
    {
        var (tenant, _, _, workbench, conversationId) = await AnsweredChatAsync();
        using var _ = tenant;
        await using var __ = workbench;
        var active = await workbench.Conversations.Reader.ReadAsync().AsTask().WaitAsync(Patience);
        Assert.Equal("Active", active.GetProperty("status").GetString());

        await workbench.Connection.InvokeAsync<JsonElement>("End", conversationId);
        var ended = await workbench.Conversations.Reader.ReadAsync().AsTask().WaitAsync(Patience);
        Assert.Equal(("Ended", "AgentEnded"), (ended.GetProperty("status").GetString(), ended.GetProperty("reason").GetString()));
        await workbench.Connection.InvokeAsync<JsonElement>("Complete", conversationId);
        var completed = await workbench.Conversations.Reader.ReadAsync().AsTask().WaitAsync(Patience);
        Assert.Equal("Completed", completed.GetProperty("status").GetString());
        var snapshot = await workbench.Connection.InvokeAsync<JsonElement>("Snapshot");
        Assert.Equal(0, snapshot.GetProperty("work").GetArrayLength());
    }

    [Fact]
    public async Task A_workbench_is_refused_a_conversation_that_is_not_its_agents_with_the_reason()
    {
        var (tenant, _, _, workbench, conversationId) = await AnsweredChatAsync();
        using var _ = tenant;
        await using var __ = workbench;
        var (_, _, _, otherToken) = await tenant.AddAgentAsync([]);
        await using var other = await Workbench.ConnectAsync(factory.Address, otherToken);

        foreach (var (method, args) in new (string, object?[])[] { ("Send", [conversationId, "hi", null]), ("End", [conversationId]), ("Messages", [conversationId, 0L]), ("Conversation", [conversationId]) })
        {
            var refused = await Assert.ThrowsAsync<HubException>(() => other.Connection.InvokeCoreAsync<JsonElement>(method, args));
            Assert.Contains("not one of yours", refused.Message, StringComparison.Ordinal);
        }
        var tooLong = await Assert.ThrowsAsync<HubException>(() => workbench.Connection.InvokeAsync<JsonElement>("Send", conversationId, new string('x', 5001), null));
        Assert.Contains("text: must be at most 5,000 characters", tooLong.Message, StringComparison.Ordinal);
        var bell = await Assert.ThrowsAsync<HubException>(() => workbench.Connection.InvokeAsync<JsonElement>("Send", conversationId, "ding\u0007", null));
        Assert.Contains("text: must not contain control characters other than line breaks and tabs", bell.Message, StringComparison.Ordinal);
        var lines = await workbench.Connection.InvokeAsync<JsonElement>("Send", conversationId, "第一行\n第二行\tend", null);
        Assert.Equal(1L, lines.GetProperty("seq").GetInt64());
        var badPresence = await Assert.ThrowsAsync<HubException>(() => workbench.Connection.InvokeAsync<JsonElement>("SetPresence", "lunch", false));
        Assert.Contains("presence: one of online, break, offline", badPresence.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("password-reset")]
    [InlineData("deleted")]
    public async Task AG3_A_deleted_agent_or_one_whose_password_was_reset_has_their_open_workbench_told_and_closed(string what)
    {
        var address = factory.Address;
        using var tenant = await TestTenant.CreateAsync(factory);
        var (agentId, _, _, token) = await tenant.AddAgentAsync([]);
        await using var workbench = await Workbench.ConnectAsync(address, token);
        var signedOut = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        workbench.Connection.On<JsonElement>("signedOut", p => signedOut.TrySetResult(p));
        workbench.Connection.Closed += _ =>
        {
            closed.TrySetResult();
            return Task.CompletedTask;
        };

        if (what == "deleted") Assert.Equal(System.Net.HttpStatusCode.NoContent, (await tenant.Admin.SendAsync(HttpMethod.Delete, $"{tenant.Base}/agents/{agentId}")).StatusCode);
        else await tenant.Admin.PostOkAsync($"{tenant.Base}/agents/{agentId}/reset-password");

        Assert.Equal(what, (await signedOut.Task.WaitAsync(Patience)).GetProperty("reason").GetString());
        await closed.Task.WaitAsync(Patience);
        Assert.Equal(HubConnectionState.Disconnected, workbench.Connection.State);
    }
}
