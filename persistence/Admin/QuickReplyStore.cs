using Dapper;

namespace Engine.Persistence.Admin;

public sealed class QuickReplyRow
{
    public string Id { get; set; } = "";
    public string Title { get; set; } = "";
    public string Body { get; set; } = "";
    public long CreatedAt { get; set; }
    public long UpdatedAt { get; set; }
}

/// <summary>ST-3: a tenant's quick replies, which agents pick in the workbench.</summary>
public sealed class QuickReplyStore(Database database)
{
    public async Task<Page<QuickReplyRow>> ListAsync(string tenantId, int offset, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var total = await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM quick_replies WHERE tenant_id = @tenantId", new { tenantId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var rows = await connection.QueryAsync<QuickReplyRow>(new CommandDefinition(
            "SELECT id AS Id, title AS Title, body AS Body, created_at AS CreatedAt, updated_at AS UpdatedAt FROM quick_replies WHERE tenant_id = @tenantId ORDER BY created_at, id LIMIT @limit OFFSET @offset",
            new { tenantId, limit, offset }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return new Page<QuickReplyRow>([.. rows], total, offset, limit);
    }

    public Task InsertAsync(string tenantId, QuickReplyRow reply, CancellationToken cancellationToken)
        => database.ChangeAsync((connection, transaction) => connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO quick_replies (id, tenant_id, title, body, created_at, updated_at) VALUES (@Id, @tenantId, @Title, @Body, @CreatedAt, @UpdatedAt)",
            new { reply.Id, tenantId, reply.Title, reply.Body, reply.CreatedAt, reply.UpdatedAt }, transaction, cancellationToken: cancellationToken)), reply.Id, cancellationToken);

    public Task<bool> UpdateAsync(string tenantId, string id, string title, string body, long now, CancellationToken cancellationToken)
        => database.ChangeOneAsync(
            "UPDATE quick_replies SET title = @title, body = @body, updated_at = @now WHERE tenant_id = @tenantId AND id = @id",
            new { tenantId, id, title, body, now }, cancellationToken);

    public Task<bool> DeleteAsync(string tenantId, string id, CancellationToken cancellationToken)
        => database.ChangeOneAsync("DELETE FROM quick_replies WHERE tenant_id = @tenantId AND id = @id", new { tenantId, id }, cancellationToken);
}
