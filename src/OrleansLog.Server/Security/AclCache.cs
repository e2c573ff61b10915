using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansLog.Security;

namespace OrleansLog.Server.Security;

/// <summary>
/// This broker's copy of the cluster's ACLs, as an immutable <see cref="AclAuthorizer"/> swapped whole when the store's
/// version moves (checked every <see cref="AuthorizationOptions.RefreshInterval"/>, and at once after a change made
/// here). Fails closed: until the ACLs are first read, only super users pass. When authorization is off every check
/// passes. Thread-safe: checks read one reference; only the refresh loop replaces it.
/// </summary>
public sealed partial class AclCache(IGrainFactory grains, IOptions<AuthorizationOptions> options, TimeProvider time, ILogger<AclCache> logger)
    : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _refreshing = new(1, 1);
    // No ACLs and no allow-if-none until the store is first read: only super users pass (fail closed).
    private AclAuthorizer _authorizer = new([], options.Value.SuperUsers.ToHashSet(), allowEveryoneIfNoAclFound: false);
    private long _version = -1;

    public bool Enabled => options.Value.Enabled == true;

    private IAclStoreGrain Store => grains.GetGrain<IAclStoreGrain>(IAclStoreGrain.ClusterKey);

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(AclCache), ServiceLifecycleStage.Active, Start, Stop);

    /// <summary>Whether <paramref name="principal"/> from <paramref name="host"/> may do <paramref name="operation"/> on the resource.</summary>
    public bool Authorize(string principal, string host, AclOperation operation, AclResourceType type, string name)
    {
        if (!Enabled)
        {
            return true;
        }

        return Volatile.Read(ref _authorizer).Authorize(principal, host, operation, type, name);
    }

    /// <summary>Whether some resource of <paramref name="type"/> allows <paramref name="operation"/> to the principal (see <see cref="AclAuthorizer.AuthorizeAny"/>).</summary>
    public bool AuthorizeAny(string principal, string host, AclOperation operation, AclResourceType type) =>
        !Enabled || Volatile.Read(ref _authorizer).AuthorizeAny(principal, host, operation, type);

    /// <summary>Reads the ACLs again if their version moved.</summary>
    public async Task RefreshAsync()
    {
        await _refreshing.WaitAsync();
        try
        {
            if (await Store.Version() == _version)
            {
                return;
            }

            var snapshot = await Store.Snapshot();
            Volatile.Write(ref _authorizer, new AclAuthorizer(snapshot.Acls, options.Value.SuperUsers.ToHashSet(), options.Value.AllowEveryoneIfNoAclFound));
            _version = snapshot.Version;
        }
        finally
        {
            _refreshing.Release();
        }
    }

    public void Dispose()
    {
        _stopping.Dispose();
        _refreshing.Dispose();
    }

    private Task Start(CancellationToken cancellationToken)
    {
        if (Enabled)
        {
            LogEnabled(options.Value.SuperUsers.Count, options.Value.AllowEveryoneIfNoAclFound);
            // The last ACLs read stay in force (or none, which denies all but super users) until the store answers.
            _ = Task.Run(() => PeriodicRefresh.RunAsync(RefreshAsync, options.Value.RefreshInterval, time, e => LogRefreshFailed(e.Message), _stopping.Token), CancellationToken.None);
        }

        return Task.CompletedTask;
    }

    private Task Stop(CancellationToken cancellationToken)
    {
        _stopping.Cancel();
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Authorization is on: requests are checked against the cluster's ACLs ({SuperUsers} super user(s); allow.everyone.if.no.acl.found {AllowIfNoAcl}).")]
    private partial void LogEnabled(int superUsers, bool allowIfNoAcl);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the cluster's ACLs ({Message}); the last ones read stay in force.")]
    private partial void LogRefreshFailed(string message);
}
