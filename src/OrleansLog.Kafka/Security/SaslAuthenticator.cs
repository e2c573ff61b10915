using System.Text;
using Microsoft.Extensions.Logging;
using OrleansLog.Kafka.Connections;
using OrleansLog.Kafka.Hosting;
using OrleansLog.Kafka.Protocol;
using OrleansLog.Security;
using OrleansLog.Server.Security.Audit;
using OrleansLog.Server.Security.OAuth;

namespace OrleansLog.Kafka.Security;

/// <summary>
/// SASL on one connection of a SASL listener: SaslHandshake picks a mechanism, then SaslAuthenticate carries the
/// mechanism's messages (KIP-152 framing) until the client is known. PLAIN checks the password against the user's SCRAM
/// credential (no password is stored), SCRAM-SHA-256/512 run <see cref="ScramServerExchange"/>. A failure is answered
/// SASL_AUTHENTICATION_FAILED after <see cref="SaslOptions.FailedAuthenticationDelay"/>, whatever went wrong, and the
/// connection then closes, as Kafka's brokers do. After success a client may authenticate again (KIP-368) with the
/// same mechanism as the same user.
/// <para>Concurrency: one per connection; the connection's read loop awaits each SASL request before it reads the next.</para>
/// </summary>
internal sealed partial class SaslAuthenticator(SaslOptions options, ICredentialStoreGrain users, JwtValidator? tokens, TimeProvider time, string remote, string listener, AuditLog audit, ILogger logger)
{
    private const string Plain = "PLAIN";
    private const string OAuthBearer = "OAUTHBEARER";

    private string? _mechanism;
    private ScramServerExchange? _scram;
    private string? _pendingUser;
    private long _sessionEnds = long.MaxValue;

    /// <summary>"User:name" once authenticated, else null.</summary>
    public string? Principal { get; private set; }

    /// <summary>Whether the session's lifetime (<see cref="SaslOptions.MaxReauth"/>) is over and the client did not authenticate again.</summary>
    public bool SessionExpired => time.GetTimestamp() > _sessionEnds;

    /// <summary>Set when an authentication failed: the connection closes once the answer is sent.</summary>
    public bool Failed { get; private set; }

    /// <summary>Answers a SaslHandshake or SaslAuthenticate request, and disposes it.</summary>
    public async Task<KafkaWriter?> HandleAsync(KafkaRequest request)
    {
        try
        {
            return request.Header.ApiKey == (short)ApiKey.SaslHandshake ? Handshake(request) : await AuthenticateAsync(request);
        }
        finally
        {
            request.Dispose();
        }
    }

    private KafkaWriter Handshake(KafkaRequest request)
    {
        var reader = new KafkaReader(request.Body);
        var mechanism = reader.ReadString(flexible: false);
        var error = ErrorCode.None;
        if (!options.Mechanisms.Contains(mechanism))
        {
            error = ErrorCode.UnsupportedSaslMechanism;
            Failed = true;
            Fail(mechanism, $"mechanism \"{mechanism}\" is not enabled");
        }
        else if (_mechanism is not null && (Principal is null || _mechanism != mechanism))
        {
            // A second handshake is only a re-authentication (KIP-368), with the mechanism of the first.
            error = ErrorCode.IllegalSaslState;
            Failed = true;
        }
        else
        {
            _mechanism = mechanism;
            _scram = null;
        }

        var response = request.StartResponse();
        response.WriteInt16(error);
        response.WriteArrayLength(options.Mechanisms.Count, flexible: false);
        foreach (var enabled in options.Mechanisms)
        {
            response.WriteString(enabled, flexible: false);
        }

        return response;
    }

    private async Task<KafkaWriter> AuthenticateAsync(KafkaRequest request)
    {
        var reader = new KafkaReader(request.Body);
        var message = reader.ReadBytes(request.Flexible).ToArray();
        if (_mechanism is not { } mechanism)
        {
            Failed = true;
            return Answer(request, ErrorCode.IllegalSaslState, "SaslAuthenticate came before SaslHandshake.", []);
        }

        try
        {
            DateTimeOffset? credentialExpires = null;
            var (reply, user) = mechanism switch
            {
                Plain => (Array.Empty<byte>(), await CheckPlain(message)),
                OAuthBearer => (Array.Empty<byte>(), await CheckBearer(message, e => credentialExpires = e)),
                _ => await StepScram(ScramMechanism.Find(mechanism)!, message),
            };
            if (user is null)
            {
                return Answer(request, ErrorCode.None, null, reply);
            }

            var principal = mechanism == OAuthBearer ? user : "User:" + user;
            if (Principal is not null && Principal != principal)
            {
                throw new ScramException($"re-authentication as {principal} on a connection of {Principal}");
            }

            var again = Principal is not null;
            Principal = principal;
            LogAuthenticated(remote, again ? "re-authenticated" : "authenticated", principal, mechanism);

            // KIP-368: with connections.max.reauth.ms the session ends then; a client that did not authenticate again by
            // its next request after that is disconnected (clients that know SaslAuthenticate v1 re-authenticate in time).
            // As Kafka's, a token's session also ends when the token expires.
            var lifetime = options.MaxReauth > TimeSpan.Zero ? (long)options.MaxReauth.TotalMilliseconds : 0;
            if (lifetime > 0 && credentialExpires is { } expires)
            {
                lifetime = Math.Max(1, Math.Min(lifetime, (long)(expires - time.GetUtcNow()).TotalMilliseconds));
            }

            _sessionEnds = lifetime > 0 ? time.GetTimestamp() + (long)(lifetime * (time.TimestampFrequency / 1000.0)) : long.MaxValue;
            return Answer(request, ErrorCode.None, null, reply, lifetime);
        }
        catch (Exception e)
        {
            // Whatever failed (a wrong proof, a malformed message, a user store that did not answer), the client only
            // hears that it did not authenticate.
            Fail(mechanism, e.Message);
            Failed = true;
            await Task.Delay(options.FailedAuthenticationDelay, time);
            return Answer(request, ErrorCode.SaslAuthenticationFailed, $"Authentication failed during authentication due to invalid credentials with SASL mechanism {mechanism}", []);
        }
    }

    /// <summary>RFC 4616: "authzid NUL authcid NUL passwd"; the user when the password is one of the user's credentials'.</summary>
    private async Task<string> CheckPlain(byte[] message)
    {
        var parts = Encoding.UTF8.GetString(message).Split('\0');
        if (parts is not [var authzid, var user, var password] || user.Length == 0 || (authzid.Length > 0 && authzid != user))
        {
            throw new ScramException("the PLAIN message is not \"[authzid]\\0user\\0password\" for one user");
        }

        var credentials = await users.FindAll(user).WaitAsync(TimeSpan.FromSeconds(10), time);
        return ScramCredential.MatchesAny(credentials, password)
            ? user
            : throw new ScramException(credentials.IsEmpty ? $"there is no user \"{user}\"" : $"the password of user \"{user}\" is wrong");
    }

    /// <summary>
    /// RFC 7628's client response, "n,[a=authzid],^Aauth=Bearer TOKEN^A^A" (^A is 0x01), with a JWT the
    /// <see cref="JwtValidator"/> accepts; the principal it names.
    /// </summary>
    private async Task<string> CheckBearer(byte[] message, Action<DateTimeOffset> expires)
    {
        var text = Encoding.UTF8.GetString(message);
        var fields = text.Split('\u0001');
        var token = fields.FirstOrDefault(f => f.StartsWith("auth=Bearer ", StringComparison.OrdinalIgnoreCase))?["auth=Bearer ".Length..].Trim();
        if (tokens is null || !text.StartsWith("n,", StringComparison.Ordinal) || fields.Length < 3 || string.IsNullOrEmpty(token))
        {
            throw new ScramException("the OAUTHBEARER message is not \"n,,^Aauth=Bearer <token>^A^A\"");
        }

        var (principal, expiry) = await tokens.ValidateAsync(token);
        expires(expiry);
        _pendingUser = principal["User:".Length..];
        return principal;
    }

    /// <summary>One SCRAM step: the server's first message (no user yet), or its final one with the user.</summary>
    private async Task<(byte[] Reply, string? User)> StepScram(ScramMechanism mechanism, byte[] message)
    {
        if (_scram is null)
        {
            var first = ScramServerExchange.ParseClientFirst(message);
            var stored = await users.Find(first.User, mechanism.Name).WaitAsync(TimeSpan.FromSeconds(10), time);
            _scram = new ScramServerExchange(mechanism);
            _pendingUser = first.User;
            return (_scram.ServerFirst(first, stored is null ? null : ScramCredential.FromStored(stored)), null);
        }

        var final = _scram.ClientFinal(message);
        _scram = null;
        return (final, _pendingUser);
    }

    private static KafkaWriter Answer(KafkaRequest request, ErrorCode error, string? message, byte[] reply, long sessionLifetimeMs = 0)
    {
        var response = request.StartResponse();
        response.WriteInt16(error);
        response.WriteNullableString(message, request.Flexible);
        response.WriteBytes(reply, request.Flexible);
        if (request.Version >= 1)
        {
            // 0: the session does not expire.
            response.WriteInt64(sessionLifetimeMs);
        }

        response.WriteEmptyTaggedFields(request.Flexible);
        return response;
    }

    /// <summary>Logs a failed authentication and records it in the audit trail, naming the user it claimed when known.</summary>
    private void Fail(string mechanism, string reason)
    {
        LogFailed(remote, mechanism, reason);
        audit.AuthenticationFailed(remote, listener, _pendingUser is null ? "unknown" : "User:" + _pendingUser, $"SASL {mechanism}: {reason}");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Kafka connection from {Remote} {How} as {Principal} ({Mechanism}).")]
    private partial void LogAuthenticated(string remote, string how, string principal, string mechanism);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kafka connection from {Remote} failed SASL authentication ({Mechanism}): {Reason}.")]
    private partial void LogFailed(string remote, string mechanism, string reason);
}
