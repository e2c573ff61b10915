using System.Security.Cryptography;
using System.Text;
using OrleansLog.Security;

namespace OrleansLog.Kafka.Security;

/// <summary>
/// The server's side of one SCRAM authentication (RFC 5802 section 5): the client's first message names the user and a
/// nonce, the server answers with its salt, iterations and the combined nonce, the client's final message proves it holds
/// the key, and the server's final message proves the server held the credential. An unknown user is answered with a
/// made-up salt and fails at the proof like a wrong password, so the exchange does not tell who exists. Channel binding
/// is not offered (gs2 "n" or "y" only), as Kafka does.
/// <para>Concurrency: one per authentication on one connection; not thread-safe.</para>
/// </summary>
public sealed class ScramServerExchange(ScramMechanism mechanism, string? serverNonce = null)
{
    private ScramCredential? _credential;
    private ClientFirst? _clientFirst;
    private string? _serverFirst;
    private string? _nonce;
    private bool _decoy;

    /// <summary>The client's first message, parsed; throws <see cref="ScramException"/> when it breaks the grammar.</summary>
    public static ClientFirst ParseClientFirst(ReadOnlySpan<byte> message)
    {
        var text = Decode(message);

        // gs2-header: a channel-binding flag, an optional authzid, then the bare message.
        var first = text.IndexOf(',', StringComparison.Ordinal);
        var second = first < 0 ? -1 : text.IndexOf(',', first + 1);
        if (second < 0 || text[..first] is not ("n" or "y"))
        {
            throw new ScramException(text.StartsWith("p=", StringComparison.Ordinal) ? "channel binding is not supported" : "the client's first message has no valid gs2 header");
        }

        var authzid = text[(first + 1)..second];
        var bare = text[(second + 1)..];
        var attributes = Attributes(bare);
        if (bare.StartsWith("m=", StringComparison.Ordinal) || !attributes.TryGetValue('n', out var user) || !attributes.TryGetValue('r', out var nonce) || nonce.Length == 0)
        {
            throw new ScramException("the client's first message needs n= and r= and no mandatory extension");
        }

        var name = Unescape(user);
        if (authzid.Length > 0 && (!authzid.StartsWith("a=", StringComparison.Ordinal) || Unescape(authzid[2..]) != name))
        {
            throw new ScramException("an authorization id other than the user is not allowed");
        }

        return new ClientFirst(text[..(second + 1)], bare, name, nonce);
    }

    /// <summary>The server's first message, for <paramref name="clientFirst"/> and the user's credential (null when there is no such user).</summary>
    public byte[] ServerFirst(ClientFirst clientFirst, ScramCredential? credential)
    {
        _clientFirst = clientFirst;
        _decoy = credential is null || credential.Mechanism != mechanism;
        _credential = credential is not null && !_decoy ? credential : Decoy(clientFirst.User);
        _nonce = clientFirst.Nonce + (serverNonce ?? Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)));
        _serverFirst = $"r={_nonce},s={Convert.ToBase64String(_credential.Salt)},i={_credential.Iterations}";
        return Encoding.UTF8.GetBytes(_serverFirst);
    }

    /// <summary>
    /// Checks the client's final message. Returns the server's final message (its signature) when the proof holds;
    /// throws <see cref="ScramException"/> otherwise, with a reason for the log (the client is told only that it failed).
    /// </summary>
    public byte[] ClientFinal(ReadOnlySpan<byte> message)
    {
        if (_clientFirst is not { } clientFirst || _credential is not { } credential || _serverFirst is null)
        {
            throw new ScramException("the client's final message came before its first");
        }

        var text = Decode(message);
        var proofAt = text.LastIndexOf(",p=", StringComparison.Ordinal);
        if (proofAt < 0)
        {
            throw new ScramException("the client's final message has no proof");
        }

        var withoutProof = text[..proofAt];
        var attributes = Attributes(withoutProof);
        if (!attributes.TryGetValue('c', out var binding) || !attributes.TryGetValue('r', out var nonce))
        {
            throw new ScramException("the client's final message needs c= and r=");
        }

        if (!TryBase64(binding, out var gs2) || Encoding.UTF8.GetString(gs2) != clientFirst.Gs2Header)
        {
            throw new ScramException("the channel binding does not repeat the gs2 header");
        }

        // Kafka's own broker only checks that the nonce ends with the one it sent, and librdkafka relies on it: it puts its
        // client nonce in front of the server's whole nonce, which already begins with it. The proof still covers the
        // final message exactly as sent.
        if (_nonce is null || !nonce.EndsWith(_nonce, StringComparison.Ordinal))
        {
            throw new ScramException("the nonce does not end with the one the server sent");
        }

        if (!TryBase64(text[(proofAt + 3)..], out var proof) || proof.Length != mechanism.HashSize)
        {
            throw new ScramException("the proof is not a base64 hash");
        }

        var authMessage = Encoding.UTF8.GetBytes($"{clientFirst.Bare},{_serverFirst},{withoutProof}");
        var clientSignature = mechanism.Hmac(credential.StoredKey, authMessage);
        var clientKey = new byte[proof.Length];
        for (var i = 0; i < proof.Length; i++)
        {
            clientKey[i] = (byte)(proof[i] ^ clientSignature[i]);
        }

        if (!CryptographicOperations.FixedTimeEquals(mechanism.Digest(clientKey), credential.StoredKey) || _decoy)
        {
            throw new ScramException(_decoy ? $"there is no {mechanism.Name} credential for user \"{clientFirst.User}\"" : $"the proof for user \"{clientFirst.User}\" is wrong (wrong password)");
        }

        return Encoding.UTF8.GetBytes($"v={Convert.ToBase64String(mechanism.Hmac(credential.ServerKey, authMessage))}");
    }

    /// <summary>A credential nobody can prove, stable per user so that two attempts look alike.</summary>
    private ScramCredential Decoy(string user)
    {
        var salt = mechanism.Digest(Encoding.UTF8.GetBytes("orleanslog-unknown-user:" + user));
        return new ScramCredential(mechanism, salt, ScramMechanism.MinIterations, RandomNumberGenerator.GetBytes(mechanism.HashSize), RandomNumberGenerator.GetBytes(mechanism.HashSize));
    }

    private static string Decode(ReadOnlySpan<byte> message)
    {
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(message);
        }
        catch (DecoderFallbackException)
        {
            throw new ScramException("the message is not UTF-8");
        }
    }

    private static Dictionary<char, string> Attributes(string message)
    {
        var attributes = new Dictionary<char, string>();
        foreach (var part in message.Split(','))
        {
            if (part.Length < 2 || part[1] != '=' || !attributes.TryAdd(part[0], part[2..]))
            {
                throw new ScramException($"\"{part}\" is not an attribute, or repeats one");
            }
        }

        return attributes;
    }

    /// <summary>saslname of RFC 5802: "=2C" is a comma and "=3D" an equals sign; any other "=" is an error.</summary>
    private static string Unescape(string name)
    {
        var unescaped = name.Replace("=2C", ",", StringComparison.Ordinal).Replace("=3D", "=", StringComparison.Ordinal);
        return name.Replace("=2C", "", StringComparison.Ordinal).Replace("=3D", "", StringComparison.Ordinal).Contains('=', StringComparison.Ordinal)
            ? throw new ScramException("the user name has a bad escape")
            : unescaped;
    }

    private static bool TryBase64(string text, out byte[] bytes)
    {
        try
        {
            bytes = Convert.FromBase64String(text);
            return true;
        }
        catch (FormatException)
        {
            bytes = [];
            return false;
        }
    }

    /// <summary>The parts of a client's first message: its gs2 header (with the trailing comma), the bare message, the user and its nonce.</summary>
    public sealed record ClientFirst(string Gs2Header, string Bare, string User, string Nonce);
}
