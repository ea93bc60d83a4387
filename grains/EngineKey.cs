namespace Engine.Grains;

/// <summary>
/// A grain's primary key carries its tenant: <c>tenant/key</c>. Tenant ids never hold the separator (they are
/// generated or validated as slugs), so the first one splits the two; the key itself may hold more.
/// </summary>
public static class EngineKey
{
    public const char Separator = '/';

    public static string Of(string tenant, string key) => string.Concat(tenant, "/", key);

    public static (string Tenant, string Key) Split(string primaryKey)
    {
        var at = primaryKey.IndexOf(Separator);
        if (at <= 0) throw new ArgumentException($"Grain key '{primaryKey}' does not name a tenant (tenant/key).", nameof(primaryKey));
        return (primaryKey[..at], primaryKey[(at + 1)..]);
    }
}
