using System.Text.Json;
using Dapper;
using Engine.Grains.Routing;

namespace Engine.Persistence.Admin;

public sealed class WebhookMessage
{
    public string Id { get; set; } = "";

    /// <summary>The order the pushes were made in (sent as <c>X-Engine-Sequence</c>).</summary>
    public long Seq { get; set; }
    public string TenantId { get; set; } = "";
    public string ChannelId { get; set; } = "";
    public string Body { get; set; } = "";
    public int Attempts { get; set; }
    public long NextAttemptAt { get; set; }
    public string? WebhookUrl { get; set; }
    public string? WebhookSecret { get; set; }
}

/// <summary>
/// What a channel's customer is to see, as the adapter API answers it and the webhook pushes it: where the conversation
/// stands (<c>inFlow</c>; <c>queued</c> with <c>position</c>, the conversations ahead, 0 = next; <c>connected</c> with its
/// <c>agent</c>; <c>ended</c> with its <c>endReason</c>) and the replies.
/// </summary>
public sealed record ChannelAnswer(string ConversationId, string Status, int? Position, IReadOnlyList<ChannelAnswer.Reply> Replies, string? EndReason, ChannelAnswer.ServingAgent? Agent)
{
    /// <summary>A reply: <c>from</c> <c>flow</c> (a text, or audio on the phone) or <c>agent</c> (with its <c>seq</c> in the conversation).</summary>
    public sealed record Reply(string Kind, string? Text, string? AudioFileId, string From, long? Seq);

    /// <summary>The agent serving the customer, as the customer may see them.</summary>
    public sealed record ServingAgent(string? Nickname, string? StaffNo);

    public static ChannelAnswer Of(FlowOutcome outcome) => new(
        outcome.ConversationId, Engine.Flows.FlowNames.Status(outcome.Phase), outcome.Phase == Engine.Flows.FlowPhase.Queued ? outcome.WaitNo : null,
        [.. outcome.Replies.Select(r => new Reply(r.Kind, r.Text, r.AudioFileId, r.From, r.Seq))], Engine.Flows.FlowNames.EndReason(outcome.EndReason),
        outcome.Agent is { } agent && outcome.Phase == Engine.Flows.FlowPhase.Connected ? new ServingAgent(agent.Nickname, agent.StaffNo) : null);
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

    /// <summary>The body of a push: the adapter API's answer, with the event's id, the customer and the time.</summary>
    public sealed record Push(string EventId, string CustomerId, DateTimeOffset At, [property: System.Text.Json.Serialization.JsonIgnore] ChannelAnswer Answer)
    {
        public string ConversationId => Answer.ConversationId;
        public string Status => Answer.Status;
        public int? Position => Answer.Position;
        public IReadOnlyList<ChannelAnswer.Reply> Replies => Answer.Replies;
        public string? EndReason => Answer.EndReason;
        public ChannelAnswer.ServingAgent? Agent => Answer.Agent;
    }

    public async ValueTask PushAsync(string tenant, string channelId, string visitorId, FlowOutcome outcome, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var hasWebhook = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM channels WHERE tenant_id = @tenant AND id = @channelId AND webhook_url IS NOT NULL", new { tenant, channelId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (hasWebhook == 0) return;
        var now = time.GetUtcNow();
        var id = Ids.New();
        var customerId = ChannelVisitors.CustomerId(channelId, visitorId);
        var body = JsonSerializer.Serialize(new Push(id, customerId, now, ChannelAnswer.Of(outcome)), Json);
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO webhook_outbox (id, tenant_id, channel_id, body, created_at, next_attempt_at) VALUES (@id, @tenant, @channelId, @body, @now, @now)",
            new { id, tenant, channelId, body, now = now.ToUnixTimeMilliseconds() }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>Messages due (not delivered, fewer than <paramref name="maxAttempts"/> tries, their time come), oldest first, with their channel's webhook now.</summary>
    /// <summary>
    /// The order pushes were made in: PostgreSQL numbers them from a sequence (<c>seq</c>), SQLite by its rowid (its one
    /// writer makes them in order). A run makes its pushes one after the other, so a run's pushes are in order.
    /// </summary>
    private string Order => database.Dialect.Kind == StoreKind.Postgres ? "o.seq" : "o.rowid";

    public async Task<IReadOnlyList<WebhookMessage>> DueAsync(long now, int maxAttempts, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return [.. await connection.QueryAsync<WebhookMessage>(new CommandDefinition(
            $"""
            SELECT o.id AS Id, {Order} AS Seq, o.tenant_id AS TenantId, o.channel_id AS ChannelId, o.body AS Body, o.attempts AS Attempts, o.next_attempt_at AS NextAttemptAt,
                   c.webhook_url AS WebhookUrl, c.webhook_secret AS WebhookSecret
            FROM webhook_outbox o LEFT JOIN channels c ON c.tenant_id = o.tenant_id AND c.id = o.channel_id
            WHERE o.delivered_at IS NULL AND o.attempts < @maxAttempts AND o.next_attempt_at <= @now
            ORDER BY {Order} LIMIT @limit
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
