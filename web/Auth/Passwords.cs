using System.Security.Cryptography;
using System.Text;
using Engine.Persistence.Admin;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Engine.Web.Auth;

/// <summary>Password hashing (PBKDF2, at least 210,000 iterations), the policy of TN-4 and initial passwords (TN-3).</summary>
public sealed class Passwords
{
    public const int Iterations = 210_000;

    private const string Letters = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ";
    private const string Digits = "23456789";
    private const string Specials = "@#%+-=_";

    private readonly PasswordHasher<UserRow> _hasher = new(Options.Create(new PasswordHasherOptions
    {
        CompatibilityMode = PasswordHasherCompatibilityMode.IdentityV3,
        IterationCount = Iterations,
    }));

    /// <summary>Checked when the email is unknown, so that an unknown email costs as much time as a wrong password.</summary>
    private readonly string _decoy;

    public Passwords() => _decoy = Hash(Generate());

    public string Hash(string password) => _hasher.HashPassword(new UserRow(), password);

    public bool Verify(UserRow? user, string password)
    {
        var result = _hasher.VerifyHashedPassword(user ?? new UserRow(), user?.PasswordHash ?? _decoy, password);
        return user is not null && result != PasswordVerificationResult.Failed;
    }

    /// <summary>TN-4: 8–20 characters with a digit, a letter and a special character, not the email. Null when acceptable, else why not.</summary>
    public static string? Problem(string password, string email)
    {
        if (password.Length is < 8 or > 20) return "must be 8 to 20 characters long";
        if (!password.Any(char.IsAsciiDigit)) return "must contain a digit";
        if (!password.Any(char.IsLetter)) return "must contain a letter";
        if (password.All(char.IsLetterOrDigit)) return "must contain a special character";
        if (string.Equals(password, email, StringComparison.OrdinalIgnoreCase)) return "must not be the email address";
        return null;
    }

    /// <summary>TN-3: a random initial password that meets TN-4 (14 characters, no look-alike letters).</summary>
    public static string Generate()
    {
        var chars = new StringBuilder();
        chars.Append(Pick(Letters, 8)).Append(Pick(Digits, 3)).Append(Pick(Specials, 3));
        var array = chars.ToString().ToCharArray();
        RandomNumberGenerator.Shuffle(array.AsSpan());
        return new string(array);
    }

    /// <summary>The stamp a cookie carries: it changes whenever the password hash does.</summary>
    public static string Stamp(string passwordHash) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(passwordHash)).AsSpan(0, 8));

    private static string Pick(string alphabet, int count) => RandomNumberGenerator.GetString(alphabet, count);
}
