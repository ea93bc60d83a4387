using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR.Client;

namespace Engine.Web.Tests.Support;

/// <summary>An agent's workbench as a test drives it: a real SignalR connection to <c>/hubs/agent</c>, each push kind queued as it arrives.</summary>
public sealed class Workbench : IAsyncDisposable
{
    public required HubConnection Connection { get; init; }
    public Channel<JsonElement> Statuses { get; } = Channel.CreateUnbounded<JsonElement>();
    public Channel<JsonElement> Rings { get; } = Channel.CreateUnbounded<JsonElement>();
    public Channel<JsonElement> Withdrawn { get; } = Channel.CreateUnbounded<JsonElement>();
    public Channel<JsonElement> Conversations { get; } = Channel.CreateUnbounded<JsonElement>();
    public Channel<JsonElement> Messages { get; } = Channel.CreateUnbounded<JsonElement>();

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
        connection.On<JsonElement>("conversation", p => workbench.Conversations.Writer.TryWrite(p));
        connection.On<JsonElement>("message", p => workbench.Messages.Writer.TryWrite(p));
        await connection.StartAsync();
        // As a workbench does: the snapshot first. Its answer also means the connection is set up on the server
        // (the hub runs a call only after the connection's set-up), so every push after it arrives.
        await connection.InvokeAsync<JsonElement>("Snapshot");
        return workbench;
    }

    public ValueTask DisposeAsync() => Connection.DisposeAsync();
}
