using System.Data.Common;
using System.Security.Cryptography;

namespace Engine.Persistence.Admin;

/// <summary>Ids for configuration rows: 16 random hex characters, safe in URLs and unguessable across tenants.</summary>
public static class Ids
{
    public static string New() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
}

/// <summary>A unique index refused a row; <see cref="Field"/> names the request field it guards.</summary>
public sealed class DuplicateValueException(string field, Exception inner)
    : Exception($"Another record already has this {field}.", inner)
{
    public string Field { get; } = field;
}

/// <summary>Filters by part of a text: <c>LIKE @pattern ESCAPE '\'</c>.</summary>
public static class LikePattern
{
    /// <summary>Matches <paramref name="value"/> anywhere, with <c>%</c> and <c>_</c> taken literally; null stays null (no filter).</summary>
    public static string? Containing(string? value)
        => value is null ? null : "%" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal) + "%";
}

/// <summary>A page of a list and the total the filters match.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, long Total, int Offset, int Limit);

internal static class UniqueViolations
{
    /// <summary>
    /// When <paramref name="error"/> is a unique-constraint violation on one of <paramref name="fields"/>'
    /// columns or indexes, the request field it guards; otherwise null.
    /// </summary>
    public static string? FieldOf(Dialect dialect, DbException error, IReadOnlyDictionary<string, string> fields)
    {
        if (dialect.UniqueViolation(error) is not { } where) return null;
        foreach (var (marker, field) in fields)
            if (where.Contains(marker, StringComparison.Ordinal)) return field;
        return null;
    }

    public static async Task<T> GuardAsync<T>(Dialect dialect, Func<Task<T>> write, IReadOnlyDictionary<string, string> fields)
    {
        try
        {
            return await write().ConfigureAwait(false);
        }
        catch (DbException e) when (FieldOf(dialect, e, fields) is { } field)
        {
            throw new DuplicateValueException(field, e);
        }
    }
}
