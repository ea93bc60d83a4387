using System.Security.Cryptography;
using System.Xml.Linq;
using Dapper;
using Engine.Persistence;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.Extensions.Options;

namespace Engine.Web.Infrastructure;

/// <summary>
/// The Data Protection key ring (cookies, CSRF tokens, the outbox): on PostgreSQL in the store, shared by every
/// server on it; on SQLite under the data folder. Either way each key is encrypted at rest (AES-256-GCM) with the
/// key-encryption key of <c>Engine:DataProtection:KeyEncryptionKey</c> (32 bytes, base64), which lives only in
/// configuration. The embedded default without one makes its own, once, under <c>data/secrets/</c>, apart from the keys.
/// </summary>
public static class DataProtectionSetup
{
    public const string KeySetting = "Engine:DataProtection:KeyEncryptionKey";

    public static IServiceCollection AddEngineDataProtection(this IServiceCollection services, IConfiguration configuration)
    {
        var database = EnginePersistence.FromConfiguration(configuration);
        var dataDir = configuration["Engine:DataDir"] ?? "data";
        var key = new KeyEncryptionKey(ReadKey(configuration, database.Dialect.Kind, dataDir));
        services.AddSingleton(key);
        var protection = services.AddDataProtection().SetApplicationName("Engine");
        if (database.Dialect.Kind == StoreKind.Postgres)
            services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(sp => new ConfigureOptions<KeyManagementOptions>(o =>
                o.XmlRepository = new DataProtectionKeys(sp.GetRequiredService<Database>(), sp.GetRequiredService<TimeProvider>())));
        else protection.PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(dataDir, "keys")));
        services.Configure<KeyManagementOptions>(o => o.XmlEncryptor = new KeyEncryptor(key));
        return services;
    }

    private static byte[] ReadKey(IConfiguration configuration, StoreKind store, string dataDir)
    {
        if (configuration[KeySetting] is { Length: > 0 } configured)
        {
            var bytes = new byte[32];
            return Convert.TryFromBase64String(configured, bytes, out var length) && length == 32
                ? bytes
                : throw new InvalidOperationException($"{KeySetting} must be 32 bytes in base64 (e.g. from `openssl rand -base64 32`).");
        }
        if (store == StoreKind.Postgres)
            throw new InvalidOperationException($"{KeySetting} is not set: servers on PostgreSQL share their key ring there, encrypted with this key, which each of them needs in its configuration (32 bytes in base64, e.g. from `openssl rand -base64 32`).");
        var file = new FileInfo(Path.Combine(dataDir, "secrets", "key-encryption.key"));
        if (!file.Exists)
        {
            file.Directory!.Create();
            if (!OperatingSystem.IsWindows()) file.Directory.UnixFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
            // Written whole beside it, then moved into place: a crash leaves no short file, and of two servers
            // starting at once the second keeps the first's key.
            var made = file.FullName + "." + Guid.NewGuid().ToString("N");
            if (OperatingSystem.IsWindows()) File.WriteAllBytes(made, RandomNumberGenerator.GetBytes(32));
            else
            {
                using var stream = new FileStream(made, new FileStreamOptions
                {
                    Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
                });
                stream.Write(RandomNumberGenerator.GetBytes(32));
                stream.Flush(flushToDisk: true);
            }
            try
            {
                File.Move(made, file.FullName, overwrite: false);
            }
            catch (IOException) when (File.Exists(file.FullName))
            {
                File.Delete(made);
            }
        }
        var stored = File.ReadAllBytes(file.FullName);
        return stored.Length == 32 ? stored : throw new InvalidOperationException($"{file.FullName} must hold 32 bytes.");
    }
}

/// <summary>The key-encryption key, for the encryptor and for the decryptor Data Protection makes from the services.</summary>
public sealed class KeyEncryptionKey(byte[] bytes)
{
    internal byte[] Bytes { get; } = bytes;
}

/// <summary>A key's XML as <c>&lt;encryptedKey&gt;</c>: base64 of nonce, ciphertext and tag (AES-256-GCM).</summary>
internal sealed class KeyEncryptor(KeyEncryptionKey key) : IXmlEncryptor
{
    public EncryptedXmlInfo Encrypt(XElement plaintextElement)
    {
        var plain = System.Text.Encoding.UTF8.GetBytes(plaintextElement.ToString(SaveOptions.DisableFormatting));
        var sealedBytes = new byte[AesGcm.NonceByteSizes.MaxSize + plain.Length + AesGcm.TagByteSizes.MaxSize];
        var nonce = sealedBytes.AsSpan(0, AesGcm.NonceByteSizes.MaxSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key.Bytes, AesGcm.TagByteSizes.MaxSize);
        aes.Encrypt(nonce, plain, sealedBytes.AsSpan(nonce.Length, plain.Length), sealedBytes.AsSpan(nonce.Length + plain.Length));
        return new EncryptedXmlInfo(new XElement("encryptedKey", new XElement("value", Convert.ToBase64String(sealedBytes))), typeof(KeyDecryptor));
    }
}

/// <summary>Made by Data Protection with the services (its activator passes them), so it finds the key there.</summary>
internal sealed class KeyDecryptor(IServiceProvider services) : IXmlDecryptor
{
    public XElement Decrypt(XElement encryptedElement)
    {
        var key = services.GetRequiredService<KeyEncryptionKey>();
        var sealedBytes = Convert.FromBase64String((string)encryptedElement.Element("value")!);
        var nonceLength = AesGcm.NonceByteSizes.MaxSize;
        var tagLength = AesGcm.TagByteSizes.MaxSize;
        var plain = new byte[sealedBytes.Length - nonceLength - tagLength];
        using var aes = new AesGcm(key.Bytes, tagLength);
        aes.Decrypt(sealedBytes.AsSpan(0, nonceLength), sealedBytes.AsSpan(nonceLength, plain.Length), sealedBytes.AsSpan(nonceLength + plain.Length), plain);
        return XElement.Parse(System.Text.Encoding.UTF8.GetString(plain));
    }
}

/// <summary>The key ring in <c>data_protection_keys</c>; the XML arrives already encrypted by <see cref="KeyEncryptor"/>.</summary>
internal sealed class DataProtectionKeys(Database database, TimeProvider time) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var connection = database.OpenAsync().GetAwaiter().GetResult();
        return [.. connection.Query<string>("SELECT xml FROM data_protection_keys ORDER BY created_at, name").Select(XElement.Parse)];
    }

    /// <summary>Two servers making a key at once store both; a ring holds several keys anyway.</summary>
    public void StoreElement(XElement element, string friendlyName)
    {
        using var connection = database.OpenAsync().GetAwaiter().GetResult();
        connection.Execute(
            "INSERT INTO data_protection_keys (name, xml, created_at) VALUES (@name, @xml, @now) ON CONFLICT (name) DO NOTHING",
            new { name = friendlyName, xml = element.ToString(SaveOptions.DisableFormatting), now = time.GetUtcNow().ToUnixTimeMilliseconds() });
    }
}
