using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace OrleansLog.Server.Security.Sessions;

/// <summary>
/// The session tokens the cluster hands to clients that signed in: "v1.{principal}.{expiry}.{signature}", the principal
/// in base64url, the expiry in Unix milliseconds, and an HMAC-SHA256 over both with the cluster's session key. Whoever
/// holds the key (the silos) can check a token without a lookup; a client that alters the principal or the expiry breaks
/// the signature. Pure and thread-safe.
/// </summary>
public static class SessionToken
{
    private const string Version = "v1";

    /// <summary>Longest token accepted: a request context entry is bounded like everything else a client sends.</summary>
    public const int MaxLength = 2048;

    public static string Issue(string principal, DateTimeOffset expiresAt, ReadOnlySpan<byte> key)
    {
        var encodedPrincipal = Base64Url(Encoding.UTF8.GetBytes(principal));
        var expiry = expiresAt.ToUnixTimeMilliseconds();
        return $"{Version}.{encodedPrincipal}.{expiry}.{Base64Url(Sign(encodedPrincipal, expiry, key))}";
    }

    /// <summary>The principal of a token this key signed that has not expired at <paramref name="now"/>; otherwise false with the reason.</summary>
    public static bool TryVerify(string token, ReadOnlySpan<byte> key, DateTimeOffset now, out string principal, out string reason)
    {
        principal = "";
        var parts = token.Length <= MaxLength ? token.Split('.') : [];
        if (parts is not [Version, var encodedPrincipal, var expiryText, var signatureText]
            || !long.TryParse(expiryText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var expiry))
        {
            reason = "the session token is malformed";
            return false;
        }

        byte[] signature;
        byte[] principalBytes;
        try
        {
            signature = FromBase64Url(signatureText);
            principalBytes = FromBase64Url(encodedPrincipal);
        }
        catch (FormatException)
        {
            reason = "the session token is malformed";
            return false;
        }

        if (!CryptographicOperations.FixedTimeEquals(signature, Sign(encodedPrincipal, expiry, key)))
        {
            reason = "the session token's signature is not the cluster's";
            return false;
        }

        if (now.ToUnixTimeMilliseconds() >= expiry)
        {
            reason = "the session has expired; sign in again";
            return false;
        }

        principal = Encoding.UTF8.GetString(principalBytes);
        reason = "";
        return true;
    }

    /// <summary>The expiry written in a token <see cref="TryVerify"/> accepted.</summary>
    public static DateTimeOffset ExpiresAt(string token) =>
        DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(token.Split('.')[2], System.Globalization.CultureInfo.InvariantCulture));

    private static byte[] Sign(string encodedPrincipal, long expiry, ReadOnlySpan<byte> key)
    {
        var principal = Encoding.ASCII.GetBytes(encodedPrincipal);
        var message = new byte[principal.Length + sizeof(long)];
        principal.CopyTo(message, 0);
        BinaryPrimitives.WriteInt64BigEndian(message.AsSpan(principal.Length), expiry);
        return HMACSHA256.HashData(key, message);
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] FromBase64Url(string text)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(padded.PadRight(padded.Length + ((4 - (padded.Length % 4)) % 4), '='));
    }
}
