namespace OrleansLog.Security;

/// <summary>
/// Where clients of the cluster sign in (the native client, the CLI, the web front end): a user and password checked
/// against the SCRAM store, or a bearer JWT checked as SASL/OAUTHBEARER checks it. The answer is a session token the
/// cluster signs; calls that carry it (<see cref="SessionContext"/>) run as its principal. A refusal is
/// SASL_AUTHENTICATION_FAILED. A stateless worker: the silo a client reaches answers.
/// </summary>
public interface ISignInGrain : IGrainWithIntegerKey
{
    /// <summary>Checks <paramref name="user"/>'s password against each of its SCRAM credentials.</summary>
    Task<SessionGrant> SignIn(string user, string password);

    /// <summary>Checks a bearer JWT against <c>OrleansLog:OAuth</c> (issuer, audience, JWK set); the principal is its subject.</summary>
    Task<SessionGrant> SignInWithBearer(string token);
}

/// <summary>A session: the token to carry, the principal it names ("User:alice"), and when it ends.</summary>
[GenerateSerializer, Immutable]
public sealed record SessionGrant([property: Id(0)] string Token, [property: Id(1)] string Principal, [property: Id(2)] DateTimeOffset ExpiresAt);
