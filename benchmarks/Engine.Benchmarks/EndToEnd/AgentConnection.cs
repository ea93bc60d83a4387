using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace Engine.Benchmarks.EndToEnd;

/// <summary>
/// An agent's workbench as the .NET SignalR client: <c>/hubs/agent</c> with the agent's API token, online, answering
/// every offer that rings, and handing every visitor message pushed to it to the <see cref="MessageLedger"/>.
/// </summary>
internal sealed class AgentConnection : IAsyncDisposable
{
    private readonly HubConnection _hub;
    private readonly E2eCounters _counters;
    private volatile bool _closing;

    public AgentConnection(E2eAgent agent, Uri server, MessageLedger ledger, E2eCounters counters)
    {
        _counters = counters;
        _hub = E2eHub.Build(new Uri(server, "hubs/agent"), agent.Token);
        // Handlers run on the connection's receive loop: they only count and start work, never wait for the server.
        _hub.On<MessagePush>("message", m =>
        {
            if (m.Sender == "visitor") ledger.Arrival(m.Content, Stopwatch.GetTimestamp());
        });
        _hub.On<OfferPush>("offerRinging", offer =>
        {
            counters.OfferRang();
            _ = AnswerAsync(offer.ConversationId);
        });
        _hub.On<OfferPush>("offerWithdrawn", _ => counters.OfferWithdrawn());
        _hub.On<ConversationPush>("conversation", c =>
        {
            if (c.Status == "Ended") counters.ConversationEnded();
        });
        _hub.On<JsonElement>("status", _ => { });
        _hub.Closed += e =>
        {
            if (!_closing) counters.Disconnected("agent", e);
            return Task.CompletedTask;
        };
    }

    /// <summary>Connects, asks for the snapshot (once it answers, the server pushes every change to this connection), goes online.</summary>
    public async Task ConnectAsync(CancellationToken cancellationToken)
    {
        await _hub.StartAsync(cancellationToken).ConfigureAwait(false);
        await _hub.InvokeAsync<JsonElement>("Snapshot", cancellationToken).ConfigureAwait(false);
        await _hub.InvokeAsync<JsonElement>("SetPresence", "online", false, cancellationToken).ConfigureAwait(false);
    }

    private async Task AnswerAsync(string conversationId)
    {
        try
        {
            await _hub.InvokeAsync<JsonElement>("Answer", conversationId).ConfigureAwait(false);
            _counters.Answered(conversationId);
        }
        catch (Exception e)
        {
            // Started from the receive loop and awaited by nobody: a refused answer (HubException) or a broken
            // connection is counted and reported with the figures, never thrown where no one catches it.
            if (!_closing) _counters.AnswerFailed(e);
        }
    }

    public ValueTask DisposeAsync()
    {
        _closing = true;
        return _hub.DisposeAsync();
    }

    /// <summary>The fields of the agent hub's pushes the run reads (each push carries more).</summary>
    private sealed record OfferPush(string ConversationId);

    private sealed record ConversationPush(string ConversationId, string? Status);

    private sealed record MessagePush(string ConversationId, long Seq, string? Sender, string? Content);
}

/// <summary>How the run connects to a hub: WebSockets straight away (no negotiate request), patient with a busy server.</summary>
internal static class E2eHub
{
    public static HubConnection Build(Uri url, string? token)
    {
        var hub = new HubConnectionBuilder()
            .WithUrl(url, HttpTransportType.WebSockets, o =>
            {
                o.SkipNegotiation = true;
                if (token is not null) o.AccessTokenProvider = () => Task.FromResult<string?>(token);
            })
            // Two cores shared by the server and 3,000 connections: a ping may come late without the server being gone.
            .WithServerTimeout(TimeSpan.FromSeconds(120))
            .Build();
        hub.HandshakeTimeout = TimeSpan.FromSeconds(60);
        return hub;
    }
}
