using Dapper;

namespace Engine.Persistence.Admin;

public sealed class AudioRow
{
    public string Id { get; set; } = "";
    public string Name { get; set; } = "";
    public string FileName { get; set; } = "";
    public string ContentType { get; set; } = "";
    public long SizeBytes { get; set; }
    public string ReviewStatus { get; set; } = "";
    public long CreatedAt { get; set; }
    public long UpdatedAt { get; set; }
}

/// <summary>ST-4: audio files with their content in the database; new ones wait for review.</summary>
public sealed class AudioStore(Database database)
{
    private const string Columns =
        "id AS Id, name AS Name, file_name AS FileName, content_type AS ContentType, size_bytes AS SizeBytes, review_status AS ReviewStatus, created_at AS CreatedAt, updated_at AS UpdatedAt";

    public Task InsertAsync(string tenantId, AudioRow audio, byte[] content, CancellationToken cancellationToken)
        => database.ChangeAsync((connection, transaction) => connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO audio_files (id, tenant_id, name, file_name, content_type, size_bytes, content, review_status, created_at, updated_at)
            VALUES (@Id, @tenantId, @Name, @FileName, @ContentType, @SizeBytes, @content, @ReviewStatus, @CreatedAt, @UpdatedAt)
            """,
            new { audio.Id, tenantId, audio.Name, audio.FileName, audio.ContentType, audio.SizeBytes, content, audio.ReviewStatus, audio.CreatedAt, audio.UpdatedAt },
            transaction, cancellationToken: cancellationToken)), audio.Id, cancellationToken);

    public async Task<Page<AudioRow>> ListAsync(string tenantId, int offset, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var total = await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM audio_files WHERE tenant_id = @tenantId", new { tenantId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var rows = await connection.QueryAsync<AudioRow>(new CommandDefinition(
            $"SELECT {Columns} FROM audio_files WHERE tenant_id = @tenantId ORDER BY created_at, id LIMIT @limit OFFSET @offset", new { tenantId, limit, offset }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return new Page<AudioRow>([.. rows], total, offset, limit);
    }

    public async Task<AudioRow?> GetAsync(string tenantId, string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.QuerySingleOrDefaultAsync<AudioRow>(new CommandDefinition(
            $"SELECT {Columns} FROM audio_files WHERE tenant_id = @tenantId AND id = @id", new { tenantId, id }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>The review status of each of <paramref name="ids"/> that the tenant has.</summary>
    public async Task<IReadOnlyDictionary<string, string>> ReviewsAsync(string tenantId, IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
    {
        if (ids.Count == 0) return new Dictionary<string, string>();
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<(string Id, string Status)>(new CommandDefinition(
            $"SELECT id, review_status FROM audio_files WHERE tenant_id = @tenantId AND {database.Dialect.In("id", "ids")}",
            new { tenantId, ids = ids.ToArray() }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.ToDictionary(r => r.Id, r => r.Status, StringComparer.Ordinal);
    }

    public async Task<byte[]?> ContentAsync(string tenantId, string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.QuerySingleOrDefaultAsync<byte[]>(new CommandDefinition(
            "SELECT content FROM audio_files WHERE tenant_id = @tenantId AND id = @id", new { tenantId, id }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    public Task<bool> ReviewAsync(string tenantId, string id, string status, long now, CancellationToken cancellationToken)
        => database.ChangeOneAsync(
            "UPDATE audio_files SET review_status = @status, updated_at = @now WHERE tenant_id = @tenantId AND id = @id",
            new { tenantId, id, status, now }, cancellationToken);

    public Task<bool> DeleteAsync(string tenantId, string id, CancellationToken cancellationToken)
        => database.ChangeOneAsync("DELETE FROM audio_files WHERE tenant_id = @tenantId AND id = @id", new { tenantId, id }, cancellationToken);
}
