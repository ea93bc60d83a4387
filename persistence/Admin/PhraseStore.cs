using System.Text.Json;
using Dapper;
using Engine.Grains.Routing;

namespace Engine.Persistence.Admin;

public sealed class PhraseRow
{
    public string Id { get; set; } = "";
    public string TenantId { get; set; } = "";

    /// <summary><c>faq</c>, <c>enterprise</c> or <c>personal</c>.</summary>
    public string Kind { get; set; } = "";

    /// <summary>The agent a personal phrase belongs to.</summary>
    public string? OwnerId { get; set; }
    public string Category { get; set; } = "";
    public string Title { get; set; } = "";

    /// <summary>An FAQ entry's similar questions, a JSON array.</summary>
    public string Similar { get; set; } = "[]";
    public string Body { get; set; } = "";
    public long CreatedAt { get; set; }
    public long UpdatedAt { get; set; }

    public IReadOnlyList<string> SimilarQuestions => JsonSerializer.Deserialize<string[]>(Similar) ?? [];

    /// <summary>
    /// The row as the indexes hold it (MK-7). A phrase's text stands among its questions beside its title: agents search
    /// a phrase by what it says (its title is optional), and the index picks candidates by the questions alone.
    /// </summary>
    public FaqDocument Document() => Kind == PhraseStore.Faq
        ? new FaqDocument(Id, [Title, .. SimilarQuestions], Body)
        : new FaqDocument(Id, [.. new[] { Title, Body }.Where(q => q.Length > 0)], Body, Kind == PhraseStore.Personal ? FaqDocument.Personal(OwnerId!) : FaqDocument.Enterprise);
}

/// <summary>MK-7: the phrase library: FAQ entries, enterprise phrases and each agent's personal phrases, in categories.</summary>
public sealed class PhraseStore(Database database) : IFaqSource
{
    public const string Faq = "faq";
    public const string Enterprise = "enterprise";
    public const string Personal = "personal";

    private const string Columns =
        "id AS Id, tenant_id AS TenantId, kind AS Kind, owner_id AS OwnerId, category AS Category, title AS Title, similar_questions AS Similar, body AS Body, created_at AS CreatedAt, updated_at AS UpdatedAt";

    /// <summary>
    /// A page of one kind (personal: of <paramref name="ownerId"/>), oldest first; <paramref name="category"/> matches
    /// the whole category, <paramref name="keyword"/> part of the title or body.
    /// </summary>
    public async Task<Page<PhraseRow>> ListAsync(string tenantId, string kind, string? ownerId, string? category, string? keyword, int offset, int limit, CancellationToken cancellationToken)
    {
        var pattern = LikePattern.Containing(keyword);
        var where = """
            WHERE tenant_id = @tenantId AND kind = @kind AND (@ownerId IS NULL OR owner_id = @ownerId) AND (@category IS NULL OR category = @category)
            AND (@pattern IS NULL OR title LIKE @pattern ESCAPE '\' OR body LIKE @pattern ESCAPE '\')
            """;
        var args = new { tenantId, kind, ownerId, category, pattern, offset, limit };
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var total = await connection.ExecuteScalarAsync<long>(new CommandDefinition($"SELECT COUNT(*) FROM phrases {where}", args, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var rows = await connection.QueryAsync<PhraseRow>(new CommandDefinition(
            $"SELECT {Columns} FROM phrases {where} ORDER BY created_at, id LIMIT @limit OFFSET @offset", args, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return new Page<PhraseRow>([.. rows], total, offset, limit);
    }

    public async Task<PhraseRow?> GetAsync(string tenantId, string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.QuerySingleOrDefaultAsync<PhraseRow>(new CommandDefinition(
            $"SELECT {Columns} FROM phrases WHERE tenant_id = @tenantId AND id = @id", new { tenantId, id }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>The rows with these ids, in that order (those gone left out).</summary>
    public async Task<IReadOnlyList<PhraseRow>> GetManyAsync(string tenantId, IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        if (ids.Count == 0) return [];
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = (await connection.QueryAsync<PhraseRow>(new CommandDefinition(
            $"SELECT {Columns} FROM phrases WHERE tenant_id = @tenantId AND {database.Dialect.In("id", "ids")}", new { tenantId, ids = ids.ToArray() }, cancellationToken: cancellationToken)).ConfigureAwait(false))
            .ToDictionary(r => r.Id, StringComparer.Ordinal);
        return [.. ids.Where(rows.ContainsKey).Select(id => rows[id])];
    }

    /// <summary>
    /// Adds the rows, all or none; false when that would take their kind (for a personal phrase: their owner) past
    /// <paramref name="max"/> (checked and written under one lock).
    /// </summary>
    /// <remarks>The audit record names <paramref name="targetId"/> (an import names none).</remarks>
    public async Task<bool> InsertAsync(string tenantId, IReadOnlyList<PhraseRow> rows, int max, string? targetId, CancellationToken cancellationToken)
    {
        if (rows.Count == 0) return true;
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await database.LockTenantAsync(connection, transaction, tenantId, cancellationToken).ConfigureAwait(false);
        var (kind, ownerId) = (rows[0].Kind, rows[0].OwnerId);
        var count = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM phrases WHERE tenant_id = @tenantId AND kind = @kind AND (@ownerId IS NULL OR owner_id = @ownerId)",
            new { tenantId, kind, ownerId }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (count + rows.Count > max) return false;
        foreach (var row in rows)
            await connection.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO phrases (id, tenant_id, kind, owner_id, category, title, similar_questions, body, created_at, updated_at)
                VALUES (@Id, @TenantId, @Kind, @OwnerId, @Category, @Title, @Similar, @Body, @CreatedAt, @UpdatedAt)
                """, row, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        await Audit.RecordAsync(connection, transaction, targetId, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    public Task<bool> UpdateAsync(PhraseRow row, CancellationToken cancellationToken)
        => database.ChangeOneAsync(
            "UPDATE phrases SET category = @Category, title = @Title, similar_questions = @Similar, body = @Body, updated_at = @UpdatedAt WHERE tenant_id = @TenantId AND id = @Id",
            row, cancellationToken);

    public Task<bool> DeleteAsync(string tenantId, string id, CancellationToken cancellationToken)
        => database.ChangeOneAsync("DELETE FROM phrases WHERE tenant_id = @tenantId AND id = @id", new { tenantId, id }, cancellationToken);

    /// <summary>The categories in use for one kind (personal: of one owner), by name.</summary>
    public async Task<IReadOnlyList<string>> CategoriesAsync(string tenantId, string kind, string? ownerId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return [.. await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT DISTINCT category FROM phrases WHERE tenant_id = @tenantId AND kind = @kind AND (@ownerId IS NULL OR owner_id = @ownerId) ORDER BY category",
            new { tenantId, kind, ownerId }, cancellationToken: cancellationToken)).ConfigureAwait(false)];
    }

    public async ValueTask<IReadOnlyList<FaqDocument>> AllAsync(string tenant, CancellationToken cancellationToken)
        => [.. (await KindAsync(tenant, "kind = 'faq'", cancellationToken).ConfigureAwait(false)).Select(r => r.Document())];

    public async ValueTask<IReadOnlyList<FaqDocument>> PhrasesAsync(string tenant, CancellationToken cancellationToken)
        => [.. (await KindAsync(tenant, "kind <> 'faq'", cancellationToken).ConfigureAwait(false)).Select(r => r.Document())];

    private async Task<IEnumerable<PhraseRow>> KindAsync(string tenantId, string condition, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.QueryAsync<PhraseRow>(new CommandDefinition(
            $"SELECT {Columns} FROM phrases WHERE tenant_id = @tenantId AND {condition}", new { tenantId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }
}
