using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using OrleansLog.Security;

namespace OrleansLog.Web.Security;

/// <summary>
/// Signs HTTP callers in to the cluster (<see cref="ISignInGrain"/>) and remembers each session by a hash of the
/// credentials that made it, until a fifth of its life is left: clients that send Basic credentials or a bearer token
/// on every request pay for one password check per session, not one per request. Refusals are not remembered.
/// <para>Concurrency: thread-safe; two first requests with the same credentials may both sign in, and the later wins.</para>
/// </summary>
public sealed class SessionSignIn(IGrainFactory grains, IOptions<WebSecurityOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, (SessionGrant Grant, DateTimeOffset RenewAt)> _sessions = new(StringComparer.Ordinal);

    private ISignInGrain Grain => grains.GetGrain<ISignInGrain>(0);

    public Task<SessionGrant> WithPassword(string user, string password) =>
        Remembered($"basic\0{user}\0{password}", () => Grain.SignIn(user, password));

    public Task<SessionGrant> WithBearer(string token) =>
        Remembered($"bearer\0{token}", () => Grain.SignInWithBearer(token));

    /// <summary>Signs in afresh, for the console's sign-in form (its session lives in the cookie).</summary>
    public Task<SessionGrant> Form(string user, string password) => Grain.SignIn(user, password);

    private async Task<SessionGrant> Remembered(string credentials, Func<Task<SessionGrant>> signIn)
    {
        var key = Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(credentials)));
        var now = time.GetUtcNow();
        if (_sessions.TryGetValue(key, out var known) && now < known.RenewAt)
        {
            return known.Grant;
        }

        var grant = await signIn();
        if (_sessions.Count >= options.Value.MaxCachedSessions)
        {
            _sessions.Clear();
        }

        _sessions[key] = (grant, grant.ExpiresAt - ((grant.ExpiresAt - now) / 5));
        return grant;
    }
}
