using System.Collections.Concurrent;

namespace Engine.Benchmarks.EndToEnd;

/// <summary>What happened to the run's connections and conversations besides the measured messages: counts, and the first error seen.</summary>
internal sealed class E2eCounters
{
    private readonly ConcurrentDictionary<string, byte> _answered = new(StringComparer.Ordinal);
    private long _connectErrors;
    private long _rateLimited;
    private long _offersRinging;
    private long _answerErrors;
    private long _offersWithdrawn;
    private long _conversationsEnded;
    private long _disconnects;
    private string? _firstError;

    public long ConnectErrors => Interlocked.Read(ref _connectErrors);

    /// <summary>Connections the server refused with 429 Too Many Requests: its per-address limit of the anonymous visitor hub.</summary>
    public long RateLimited => Interlocked.Read(ref _rateLimited);

    public long OffersRinging => Interlocked.Read(ref _offersRinging);

    public long AnswerErrors => Interlocked.Read(ref _answerErrors);

    public long OffersWithdrawn => Interlocked.Read(ref _offersWithdrawn);

    /// <summary>Conversations the server ended while the run held them (an agent's <c>conversation</c> push, or a visitor's reply, saying ended).</summary>
    public long ConversationsEnded => Interlocked.Read(ref _conversationsEnded);

    /// <summary>Connections the server or the network closed before the run did.</summary>
    public long Disconnects => Interlocked.Read(ref _disconnects);

    public string? FirstError => Volatile.Read(ref _firstError);

    public bool IsAnswered(string conversationId) => _answered.ContainsKey(conversationId);

    public void Answered(string conversationId) => _answered.TryAdd(conversationId, 0);

    public void OfferRang() => Interlocked.Increment(ref _offersRinging);

    public void OfferWithdrawn() => Interlocked.Increment(ref _offersWithdrawn);

    public void ConversationEnded() => Interlocked.Increment(ref _conversationsEnded);

    public void ConnectFailed(string what, Exception e)
    {
        Interlocked.Increment(ref _connectErrors);
        // The WebSocket upgrade refused: "The server returned status code '429' when status code '101' was expected."
        if (e.Message.Contains("'429'", StringComparison.Ordinal)) Interlocked.Increment(ref _rateLimited);
        Error(what, e);
    }

    public void AnswerFailed(Exception e)
    {
        Interlocked.Increment(ref _answerErrors);
        Error("answer", e);
    }

    public void Disconnected(string who, Exception? e)
    {
        Interlocked.Increment(ref _disconnects);
        if (e is not null) Error(who + " connection closed", e);
    }

    /// <summary>Keeps the first error only: the one that explains the others.</summary>
    public void Error(string what, Exception e)
        => Interlocked.CompareExchange(ref _firstError, $"{what}: {e.GetType().Name}: {e.Message}", null);
}
