using Dapper;

namespace Engine.Persistence.Admin;

/// <summary>An image sent in a conversation, as stored: its type (found in its content), size and bytes.</summary>
public sealed class MediaRow
{
    public string Id { get; set; } = "";
    public string TenantId { get; set; } = "";
    public string ConversationId { get; set; } = "";
    public string ContentType { get; set; } = "";
    public long Size { get; set; }
    public byte[] Bytes { get; set; } = [];
    public long CreatedAt { get; set; }
}

/// <summary>Images sent in conversations (<c>media</c>), kept with the conversation's other records.</summary>
public sealed class MediaStore(Database database)
{
    /// <summary>128 random bits: an image's address is its only key, shared with the conversation's two sides.</summary>
    public static string NewId() => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));

    public Task InsertAsync(MediaRow media, CancellationToken cancellationToken)
        => database.ChangeAsync((connection, transaction) => connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO media (id, tenant_id, conversation_id, content_type, size, bytes, created_at)
            VALUES (@Id, @TenantId, @ConversationId, @ContentType, @Size, @Bytes, @CreatedAt)
            """, media, transaction, cancellationToken: cancellationToken)), media.Id, cancellationToken);

    public async Task<MediaRow?> GetAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.QuerySingleOrDefaultAsync<MediaRow>(new CommandDefinition(
            """
            SELECT id AS Id, tenant_id AS TenantId, conversation_id AS ConversationId, content_type AS ContentType, size AS Size, bytes AS Bytes, created_at AS CreatedAt
            FROM media WHERE id = @id
            """, new { id }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }
}
