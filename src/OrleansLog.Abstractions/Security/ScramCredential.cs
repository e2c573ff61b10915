using System.Security.Cryptography;
using System.Text;

namespace OrleansLog.Security;

/// <summary>
/// What the broker keeps of a SCRAM user's password (RFC 5802 section 3): the salt, the iteration count, and the two
/// keys derived from the salted password. The password itself is never stored; a stolen credential does not log in
/// (StoredKey is a hash of the key a client proves it holds). Immutable.
/// </summary>
public sealed record ScramCredential(ScramMechanism Mechanism, byte[] Salt, int Iterations, byte[] StoredKey, byte[] ServerKey)
{
    private static readonly byte[] ClientKeyLabel = "Client Key"u8.ToArray();
    private static readonly byte[] ServerKeyLabel = "Server Key"u8.ToArray();

    /// <summary>A credential for <paramref name="password"/> with a fresh random salt.</summary>
    public static ScramCredential Create(ScramMechanism mechanism, string password, int iterations = ScramMechanism.MinIterations) =>
        FromPassword(mechanism, password, RandomNumberGenerator.GetBytes(mechanism.HashSize), iterations);

    /// <summary>The credential of <paramref name="password"/> with this <paramref name="salt"/> (Kafka's AlterUserScramCredentials carries the salted password instead).</summary>
    public static ScramCredential FromPassword(ScramMechanism mechanism, string password, byte[] salt, int iterations)
    {
        CheckIterations(iterations);
        return FromSaltedPassword(mechanism, mechanism.SaltedPassword(password.Normalize(NormalizationForm.FormKC), salt, iterations), salt, iterations);
    }

    /// <summary>The credential of an already salted password, as AlterUserScramCredentials sends it.</summary>
    public static ScramCredential FromSaltedPassword(ScramMechanism mechanism, byte[] saltedPassword, byte[] salt, int iterations)
    {
        CheckIterations(iterations);
        var clientKey = mechanism.Hmac(saltedPassword, ClientKeyLabel);
        return new ScramCredential(mechanism, salt, iterations, mechanism.Digest(clientKey), mechanism.Hmac(saltedPassword, ServerKeyLabel));
    }

    /// <summary>Whether <paramref name="password"/> is this credential's (SASL/PLAIN checks passwords this way), in constant time.</summary>
    public bool Matches(string password)
    {
        var candidate = FromPassword(Mechanism, password, Salt, Iterations);
        return CryptographicOperations.FixedTimeEquals(candidate.StoredKey, StoredKey);
    }

    /// <summary>Whether <paramref name="password"/> is that of one of a user's stored credentials (any mechanism); how SASL/PLAIN and the cluster's sign-in check a password.</summary>
    public static bool MatchesAny(IEnumerable<StoredScramCredential> credentials, string password) =>
        credentials.Select(FromStored).Any(c => c is not null && c.Matches(password));

    /// <summary>The stored form (see <see cref="StoredScramCredential"/>).</summary>
    public StoredScramCredential ToStored() => new(Mechanism.Name, Salt, Iterations, StoredKey, ServerKey);

    /// <summary>A stored credential of a known mechanism, or null.</summary>
    public static ScramCredential? FromStored(StoredScramCredential stored) =>
        ScramMechanism.Find(stored.Mechanism) is { } mechanism ? new ScramCredential(mechanism, stored.Salt, stored.Iterations, stored.StoredKey, stored.ServerKey) : null;

    private static void CheckIterations(int iterations)
    {
        if (iterations is < ScramMechanism.MinIterations or > ScramMechanism.MaxIterations)
        {
            throw new ArgumentOutOfRangeException(nameof(iterations), iterations, $"SCRAM iterations must be between {ScramMechanism.MinIterations} and {ScramMechanism.MaxIterations}.");
        }
    }
}
