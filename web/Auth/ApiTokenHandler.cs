using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Engine.Persistence.Admin;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Engine.Web.Auth;

/// <summary>Opaque bearer tokens: <c>eng_</c> and 43 random characters, shown once; the store keeps their SHA-256.</summary>
public static class ApiTokens
{
    public const string Scheme = "ApiToken";
    public const string Prefix = "eng_";

    public static string Generate() => Generate(Prefix);

    /// <summary>A secret of 32 random bytes after <paramref name="prefix"/> (a channel's adapter token has its own).</summary>
    public static string Generate(string prefix) => prefix + Base64UrlEncode(RandomNumberGenerator.GetBytes(32));

    public static string HashOf(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static string Base64UrlEncode(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

/// <summary>
/// Who presented which token in the last half second, so that a load tester's every request does not cost a
/// database read. The short life is what makes a revocation, an expiry or a deleted user count on every silo
/// within a second (each silo reads again); on the silo that revoked, it counts at once.
/// </summary>
public sealed class ApiTokenCache(TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMilliseconds(500);
    private readonly ConcurrentDictionary<string, (ApiTokenOwner Owner, DateTimeOffset Until)> _owners = new(StringComparer.Ordinal);

    public ApiTokenOwner? Get(string hash)
        => _owners.TryGetValue(hash, out var entry) && entry.Until > time.GetUtcNow() ? entry.Owner : null;

    public void Put(string hash, ApiTokenOwner owner)
    {
        if (_owners.Count > 100_000) _owners.Clear();
        var until = time.GetUtcNow() + Lifetime;
        if (owner.ExpiresAt is { } expires && DateTimeOffset.FromUnixTimeMilliseconds(expires) < until) until = DateTimeOffset.FromUnixTimeMilliseconds(expires);
        _owners[hash] = (owner, until);
    }

    public void ForgetUser(string userId) => Forget(entry => entry.UserId == userId);

    public void ForgetToken(string tokenId) => Forget(entry => entry.TokenId == tokenId);

    private void Forget(Func<ApiTokenOwner, bool> which)
    {
        foreach (var (hash, entry) in _owners)
            if (which(entry.Owner)) _owners.TryRemove(hash, out _);
    }
}

public sealed class ApiTokenHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiTokenStore tokens,
    ApiTokenCache cache,
    TimeProvider time)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (header is null || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return AuthenticateResult.NoResult();
        var token = header["Bearer ".Length..].Trim();
        if (!token.StartsWith(ApiTokens.Prefix, StringComparison.Ordinal)) return AuthenticateResult.Fail("Not an Engine API token.");
        var hash = ApiTokens.HashOf(token);
        var owner = cache.Get(hash);
        if (owner is null)
        {
            owner = await tokens.FindAsync(hash, time.GetUtcNow().ToUnixTimeMilliseconds(), Context.RequestAborted);
            if (owner is null) return AuthenticateResult.Fail("Unknown or revoked API token.");
            cache.Put(hash, owner);
        }
        var principal = Caller.Principal(ApiTokens.Scheme, owner.UserId, owner.TenantId, owner.Role, tokenId: owner.TokenId);
        return AuthenticateResult.Success(new AuthenticationTicket(principal, ApiTokens.Scheme));
    }
}
