using System.Text;

namespace Engine.Grains;

/// <summary>
/// A grain's primary key carries its tenant: <c>tenant/key</c>. Tenant ids never hold the separator (they are
/// generated or validated as slugs), so the first one splits the two; the key itself may hold more.
/// </summary>
public static class EngineKey
{
    public const char Separator = '/';

    public static string Of(string tenant, string key) => string.Concat(tenant, "/", key);

    /// <summary>The grain key of <see cref="Of"/> as Orleans stores it (UTF-8), written without the intermediate string.</summary>
    public static IdSpan IdOf(string tenant, string key)
    {
        var tenantBytes = Encoding.UTF8.GetByteCount(tenant);
        var bytes = new byte[tenantBytes + 1 + Encoding.UTF8.GetByteCount(key)];
        Encoding.UTF8.GetBytes(tenant, bytes);
        bytes[tenantBytes] = (byte)Separator;
        Encoding.UTF8.GetBytes(key, bytes.AsSpan(tenantBytes + 1));
        return new IdSpan(bytes);
    }

    public static (string Tenant, string Key) Split(string primaryKey)
    {
        var at = primaryKey.IndexOf(Separator);
        if (at <= 0) throw new ArgumentException($"Grain key '{primaryKey}' does not name a tenant (tenant/key).", nameof(primaryKey));
        return (primaryKey[..at], primaryKey[(at + 1)..]);
    }
}
