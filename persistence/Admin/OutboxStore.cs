using Dapper;

namespace Engine.Persistence.Admin;

public sealed class OutboxRow
{
    public string Id { get; set; } = "";
    public string? TenantId { get; set; }
    public string? UserId { get; set; }
    public string Kind { get; set; } = "";
    public string Recipient { get; set; } = "";
    public string Subject { get; set; } = "";
    public string? Body { get; set; }
    public long CreatedAt { get; set; }
    public long? SentAt { get; set; }
    public int Attempts { get; set; }
    public string? LastError { get; set; }
}

/// <summary>TN-3: emails waiting to be sent; a sent one keeps its record without its body.</summary>
public sealed class OutboxStore(Database database)
{
    private const string Columns =
        "id AS Id, tenant_id AS TenantId, user_id AS UserId, kind AS Kind, recipient AS Recipient, subject AS Subject, body AS Body, " +
        "created_at AS CreatedAt, sent_at AS SentAt, attempts AS Attempts, last_error AS LastError";

    /// <summary>Adds a message in the transaction of the change that makes it (a new user, a reset password), so that both stay or neither.</summary>
    public static Task InsertAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction, OutboxRow row, CancellationToken cancellationToken)
        => connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO outbox (id, tenant_id, user_id, kind, recipient, subject, body, created_at) VALUES (@Id, @TenantId, @UserId, @Kind, @Recipient, @Subject, @Body, @CreatedAt)",
            row, transaction, cancellationToken: cancellationToken));

    /// <summary>Unsent messages, oldest first, that have not failed <paramref name="maxAttempts"/> times.</summary>
    public async Task<IReadOnlyList<OutboxRow>> PendingAsync(int maxAttempts, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return [.. await connection.QueryAsync<OutboxRow>(new CommandDefinition(
            $"SELECT {Columns} FROM outbox WHERE sent_at IS NULL AND attempts < @maxAttempts ORDER BY created_at LIMIT @limit",
            new { maxAttempts, limit }, cancellationToken: cancellationToken)).ConfigureAwait(false)];
    }

    public async Task<IReadOnlyList<OutboxRow>> ForUserAsync(string userId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return [.. await connection.QueryAsync<OutboxRow>(new CommandDefinition(
            $"SELECT {Columns} FROM outbox WHERE user_id = @userId ORDER BY created_at", new { userId }, cancellationToken: cancellationToken)).ConfigureAwait(false)];
    }

    public async Task MarkSentAsync(string id, long now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE outbox SET sent_at = @now, body = NULL, attempts = attempts + 1, last_error = NULL WHERE id = @id", new { id, now }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    public async Task MarkFailedAsync(string id, string error, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE outbox SET attempts = attempts + 1, last_error = @error WHERE id = @id", new { id, error }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }
}
