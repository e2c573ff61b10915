using OrleansLog.Security;

namespace OrleansLog.Client.Internal;

/// <summary>
/// Signs the client in with the credentials of <see cref="Hosting.OrleansLogClientOptions"/> and attaches the session to
/// every grain call (<see cref="SessionContext"/>), so the brokers run the calls as the user. The session is taken at the
/// first call, and again when less than a fifth of its life is left. A call that already carries a session (the web
/// front end passes its signed-in user's) keeps it.
/// <para>Concurrency: thread-safe; one sign-in at a time, the session swapped whole.</para>
/// </summary>
internal sealed class SessionCredentials(IServiceProvider services, Func<ISignInGrain, Task<SessionGrant>> signIn, TimeProvider time) : IOutgoingGrainCallFilter, IDisposable
{
    private readonly SemaphoreSlim _signingIn = new(1, 1);
    private SessionGrant? _session;
    private DateTimeOffset _renewAt;

    public async Task Invoke(IOutgoingGrainCallContext context)
    {
        // Only the cluster's own grains: the runtime's calls (the client's start-up, its gateway list) need no session.
        if (SessionContext.Token is null && context.InterfaceMethod?.DeclaringType is { } declaring && declaring != typeof(ISignInGrain)
            && declaring.Namespace?.StartsWith("OrleansLog", StringComparison.Ordinal) == true)
        {
            SessionContext.Token = (await Current()).Token;
        }

        await context.Invoke();
    }

    private async ValueTask<SessionGrant> Current()
    {
        if (Volatile.Read(ref _session) is { } session && time.GetUtcNow() < _renewAt)
        {
            return session;
        }

        await _signingIn.WaitAsync();
        try
        {
            if (_session is null || time.GetUtcNow() >= _renewAt)
            {
                // Resolved here: the grain factory depends on the client this filter is part of.
                var grains = (IGrainFactory)services.GetService(typeof(IGrainFactory))!;
                var fresh = await signIn(grains.GetGrain<ISignInGrain>(0));
                _renewAt = fresh.ExpiresAt - ((fresh.ExpiresAt - time.GetUtcNow()) / 5);
                Volatile.Write(ref _session, fresh);
            }

            return _session!;
        }
        finally
        {
            _signingIn.Release();
        }
    }

    public void Dispose() => _signingIn.Dispose();
}
