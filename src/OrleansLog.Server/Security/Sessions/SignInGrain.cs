using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using OrleansLog.Security;
using OrleansLog.Server.Security.Audit;
using OrleansLog.Server.Security.OAuth;

namespace OrleansLog.Server.Security.Sessions;

/// <summary>
/// Signs clients in (see <see cref="ISignInGrain"/>): a password is checked against every SCRAM credential of the user
/// (as SASL/PLAIN checks it), a JWT by the same <see cref="JwtValidator"/> as SASL/OAUTHBEARER. A failure is audited and
/// answered SASL_AUTHENTICATION_FAILED with one reason for every kind of failure, so a caller cannot tell a missing user
/// from a wrong password. Concurrency: stateless worker; each activation handles one call at a time.
/// </summary>
[Orleans.Concurrency.StatelessWorker]
public sealed partial class SignInGrain(
    IGrainFactory grains,
    SessionKeys keys,
    IOptions<SessionOptions> options,
    IServiceProvider services,
    TimeProvider time,
    AuditLog audit,
    ILogger<SignInGrain> logger) : Grain, ISignInGrain
{
    private const string Refusal = "Authentication failed: invalid credentials.";

    /// <summary>Longest user name and password accepted; the SCRAM store holds no longer names.</summary>
    public const int MaxCredentialLength = 1024;

    public async Task<SessionGrant> SignIn(string user, string password)
    {
        if (user.Length is 0 or > MaxCredentialLength || password.Length > MaxCredentialLength)
        {
            throw await Refuse($"User:{(user.Length > 64 ? user[..64] : user)}", "the user or password is empty or too long");
        }

        var credentials = await grains.GetGrain<ICredentialStoreGrain>(ICredentialStoreGrain.ClusterKey).FindAll(user);
        if (!ScramCredential.MatchesAny(credentials, password))
        {
            throw await Refuse($"User:{user}", credentials.IsEmpty ? "no such user" : "wrong password");
        }

        return await Grant($"User:{user}", time.GetUtcNow() + options.Value.Lifetime);
    }

    public async Task<SessionGrant> SignInWithBearer(string token)
    {
        var validator = services.GetService<JwtValidator>();
        if (validator is null || services.GetRequiredService<IOptions<OAuthOptions>>().Value.JwksUrl is not { Length: > 0 })
        {
            throw await Refuse("User:ANONYMOUS", "bearer tokens are not accepted (OrleansLog:OAuth is not configured)");
        }

        try
        {
            var (principal, expires) = await validator.ValidateAsync(token);
            var end = time.GetUtcNow() + options.Value.Lifetime;
            return await Grant(principal, expires < end ? expires : end);
        }
        catch (Exception e) when (e is SecurityTokenException or ArgumentException)
        {
            throw await Refuse("User:ANONYMOUS", e.Message);
        }
    }

    private async Task<SessionGrant> Grant(string principal, DateTimeOffset expiresAt) =>
        new(SessionToken.Issue(principal, expiresAt, await keys.Key()), principal, expiresAt);

    /// <summary>Audits and logs a refusal, and answers it only after <see cref="SessionOptions.FailedSignInDelay"/>.</summary>
    private async Task<OrleansLogException> Refuse(string principal, string reason)
    {
        var (_, address) = AuditCaller.Current;
        audit.AuthenticationFailed(address, "gateway", principal, reason);
        LogRefused(principal, reason);
        await Task.Delay(options.Value.FailedSignInDelay, time);
        return new OrleansLogException(ErrorCode.SaslAuthenticationFailed, Refusal);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Refused a sign-in as {Principal}: {Reason}.")]
    private partial void LogRefused(string principal, string reason);
}
