using System.Security.Cryptography;

namespace OrleansLog.Security;

/// <summary>
/// A SCRAM mechanism Kafka clients speak (RFC 5802 with the hashes of RFC 7677): its SASL name, its hash, and the
/// functions built on it, all from the platform's cryptography. Immutable.
/// </summary>
public sealed class ScramMechanism
{
    /// <summary>Kafka's floor for SCRAM iterations (and its default when a user is created with none).</summary>
    public const int MinIterations = 4096;

    /// <summary>Kafka's ceiling for SCRAM iterations.</summary>
    public const int MaxIterations = 16384;

    private ScramMechanism(string name, HashAlgorithmName hash, int size)
    {
        Name = name;
        Hash = hash;
        HashSize = size;
    }

    public static ScramMechanism Sha256 { get; } = new("SCRAM-SHA-256", HashAlgorithmName.SHA256, 32);

    public static ScramMechanism Sha512 { get; } = new("SCRAM-SHA-512", HashAlgorithmName.SHA512, 64);

    public static IReadOnlyList<ScramMechanism> All { get; } = [Sha256, Sha512];

    /// <summary>The SASL mechanism name clients ask for.</summary>
    public string Name { get; }

    public HashAlgorithmName Hash { get; }

    /// <summary>The hash's output size in bytes.</summary>
    public int HashSize { get; }

    /// <summary>The mechanism called <paramref name="name"/> (case-sensitive, as SASL names are), or null.</summary>
    public static ScramMechanism? Find(string? name) => All.FirstOrDefault(m => m.Name == name);

    /// <summary>Hi() of RFC 5802: PBKDF2 with this hash.</summary>
    public byte[] SaltedPassword(string password, ReadOnlySpan<byte> salt, int iterations) =>
        Rfc2898DeriveBytes.Pbkdf2(password, salt, iterations, Hash, HashSize);

    public byte[] Hmac(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data) =>
        Hash == HashAlgorithmName.SHA256 ? HMACSHA256.HashData(key, data) : HMACSHA512.HashData(key, data);

    public byte[] Digest(ReadOnlySpan<byte> data) =>
        Hash == HashAlgorithmName.SHA256 ? SHA256.HashData(data) : SHA512.HashData(data);
}
