using System.Diagnostics;
using Microsoft.AspNetCore.SignalR.Client;

namespace Engine.Benchmarks.EndToEnd;

/// <summary>
/// A web chat visitor as the .NET SignalR client: <c>/hubs/visitor?channel=KEY&amp;visitor=ID</c>. Its first message opens
/// the conversation (the flow hands it to the channel's group at once); its measured messages then go, one
/// <c>Send</c> at a time, to the agent who answered.
/// </summary>
internal sealed class VisitorConnection : IAsyncDisposable
{
    private readonly HubConnection _hub;
    private readonly MessageLedger _ledger;
    private readonly E2eCounters _counters;
    private int _sentCount;
    private int _busy;
    private volatile bool _closing;

    public VisitorConnection(int index, string visitorId, string channelKey, Uri server, MessageLedger ledger, E2eCounters counters)
    {
        Index = index;
        _ledger = ledger;
        _counters = counters;
        _hub = E2eHub.Build(new Uri(server, $"hubs/visitor?channel={Uri.EscapeDataString(channelKey)}&visitor={Uri.EscapeDataString(visitorId)}"), null);
        // The chat's pushes: the flow's replies, the queue position, the agent's words. Only an end matters here.
        _hub.On<Reply>("reply", r =>
        {
            if (r.Status == "ended") counters.ConversationEnded();
        });
        _hub.Closed += e =>
        {
            if (!_closing) counters.Disconnected("visitor", e);
            return Task.CompletedTask;
        };
    }

    public int Index { get; }

    /// <summary>The conversation the first message opened; null until then.</summary>
    public string? ConversationId { get; private set; }

    public bool Connected => _hub.State == HubConnectionState.Connected;

    public Task ConnectAsync(CancellationToken cancellationToken) => _hub.StartAsync(cancellationToken);

    /// <summary>The first message: opens the conversation, which the flow transfers to the group.</summary>
    public async Task OpenAsync(CancellationToken cancellationToken)
    {
        var ack = await _hub.InvokeAsync<SendAck>("Send", "Hello from the e2e harness", cancellationToken).ConfigureAwait(false);
        ConversationId = ack.ConversationId;
    }

    /// <summary>Claims the visitor for one paced message; false while its last <c>Send</c> is still unanswered.</summary>
    public bool TryClaim() => Connected && Interlocked.CompareExchange(ref _busy, 1, 0) == 0;

    /// <summary>Unpaced: the next message as soon as the last <c>Send</c> returned, until the window ends.</summary>
    public async Task SendUntilAsync(long windowEnd)
    {
        while (Stopwatch.GetTimestamp() < windowEnd && Connected && !_closing) await SendNextAsync().ConfigureAwait(false);
    }

    /// <summary>One measured message; never throws (a failed <c>Send</c> is counted), and frees the visitor for the next.</summary>
    public async Task SendNextAsync()
    {
        var n = ++_sentCount;
        var sentAt = Stopwatch.GetTimestamp();
        var text = _ledger.Sending(Index, n, sentAt);
        try
        {
            await _hub.InvokeAsync<SendAck>("Send", text).ConfigureAwait(false);
            _ledger.Acknowledge(sentAt);
        }
        catch (Exception e)
        {
            // Paced sends are started and not awaited: a refused message (HubException) or a broken connection is
            // counted as a send error, and the run carries on with the other visitors.
            _ledger.Failed(Index, n);
            if (!_closing) _counters.Error("visitor send", e);
        }
        finally
        {
            Volatile.Write(ref _busy, 0);
        }
    }

    public ValueTask DisposeAsync()
    {
        _closing = true;
        return _hub.DisposeAsync();
    }

    /// <summary>The visitor hub's answer to <c>Send</c>.</summary>
    private sealed record SendAck(string ConversationId, string Status, long? Seq);

    /// <summary>The field of the <c>reply</c> push the run reads.</summary>
    private sealed record Reply(string? ConversationId, string? Status);
}
