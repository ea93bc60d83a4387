using System.Text.Json;
using Dapper;
using Engine.Grains.Routing;

namespace Engine.Persistence.Admin;

public sealed class WebhookMessage
{
    public string Id { get; set; } = "";
    public string TenantId { get; set; } = "";
    public string ChannelId { get; set; } = "";
    public string Body { get; set; } = "";
    public int Attempts { get; set; }
    public long NextAttemptAt { get; set; }
    public string? WebhookUrl { get; set; }
    public string? WebhookSecret { get; set; }
}

/// <summary>
/// What flow runs push to channels' webhooks, kept until delivered (<c>webhook_outbox</c>). A channel without a webhook
/// gets nothing queued. The body is what the gateway receives: the conversation, the customer, where it stands and the replies.
/// </summary>
public sealed class WebhookOutboxStore(Database database, TimeProvider time) : IFlowReplies
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>The body of a push; the same fields as the adapter API's answer, with the customer and the event's id.</summary>
    public sealed record Push(string EventId, string ConversationId, string CustomerId, string Status, int? Position, IReadOnlyList<PushedReply> Replies, string? EndReason, DateTimeOffset At);

    public sealed record PushedReply(string Kind, string? Text, string? AudioFileId);

    public async ValueTask PushAsync(string tenant, string channelId, string visitorId, FlowOutcome outcome, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var hasWebhook = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM channels WHERE tenant_id = @tenant AND id = @channelId AND webhook_url IS NOT NULL", new { tenant, channelId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (hasWebhook == 0) return;
        var now = time.GetUtcNow();
        var id = Ids.New();
        var customerId = visitorId.StartsWith(channelId + ":", StringComparison.Ordinal) ? visitorId[(channelId.Length + 1)..] : visitorId;
        var body = JsonSerializer.Serialize(new Push(
            id, outcome.ConversationId, customerId, Engine.Flows.FlowNames.Status(outcome.Phase), outcome.Phase == Engine.Flows.FlowPhase.Queued ? outcome.WaitNo : null,
            [.. outcome.Replies.Select(r => new PushedReply(r.Kind, r.Text, r.AudioFileId))], Engine.Flows.FlowNames.EndReason(outcome.EndReason), now), Json);
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO webhook_outbox (id, tenant_id, channel_id, body, created_at, next_attempt_at) VALUES (@id, @tenant, @channelId, @body, @now, @now)",
            new { id, tenant, channelId, body, now = now.ToUnixTimeMilliseconds() }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>Messages due (not delivered, fewer than <paramref name="maxAttempts"/> tries, their time come), oldest first, with their channel's webhook now.</summary>
    public async Task<IReadOnlyList<WebhookMessage>> DueAsync(long now, int maxAttempts, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return [.. await connection.QueryAsync<WebhookMessage>(new CommandDefinition(
            """
            SELECT o.id AS Id, o.tenant_id AS TenantId, o.channel_id AS ChannelId, o.body AS Body, o.attempts AS Attempts, o.next_attempt_at AS NextAttemptAt,
                   c.webhook_url AS WebhookUrl, c.webhook_secret AS WebhookSecret
            FROM webhook_outbox o LEFT JOIN channels c ON c.tenant_id = o.tenant_id AND c.id = o.channel_id
            WHERE o.delivered_at IS NULL AND o.attempts < @maxAttempts AND o.next_attempt_at <= @now
            ORDER BY o.created_at, o.id LIMIT @limit
            """, new { now, maxAttempts, limit }, cancellationToken: cancellationToken)).ConfigureAwait(false)];
    }

    /// <summary>
    /// Takes a due message for one try: true for the one dispatcher (of every server) whose claim moved its time on to
    /// <paramref name="leaseUntil"/>; the others pass it by.
    /// </summary>
    public async Task<bool> ClaimAsync(WebhookMessage message, long leaseUntil, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE webhook_outbox SET next_attempt_at = @leaseUntil WHERE id = @Id AND next_attempt_at = @NextAttemptAt AND delivered_at IS NULL",
            new { message.Id, message.NextAttemptAt, leaseUntil }, cancellationToken: cancellationToken)).ConfigureAwait(false) == 1;
    }

    /// <summary>The try under <paramref name="lease"/> was taken by the gateway (a try whose lease another server has taken since changes nothing).</summary>
    public async Task MarkDeliveredAsync(string id, long lease, long now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE webhook_outbox SET delivered_at = @now, attempts = attempts + 1, last_error = NULL WHERE id = @id AND next_attempt_at = @lease",
            new { id, lease, now }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    public async Task MarkFailedAsync(string id, long lease, string error, long nextAttemptAt, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE webhook_outbox SET attempts = attempts + 1, last_error = @error, next_attempt_at = @nextAttemptAt WHERE id = @id AND next_attempt_at = @lease",
            new { id, lease, error = error.Length > 500 ? error[..500] : error, nextAttemptAt }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }
}
