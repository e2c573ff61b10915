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
    : ClusterStateCache(time)
{
    // No ACLs and no allow-if-none until the store is first read: only super users pass (fail closed).
    private AclAuthorizer _authorizer = new([], options.Value.SuperUsers.ToHashSet(), allowEveryoneIfNoAclFound: false);
    public bool Enabled => options.Value.Enabled == true;

    private IAclStoreGrain Store => grains.GetGrain<IAclStoreGrain>(IAclStoreGrain.ClusterKey);

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

    protected override TimeSpan Interval => options.Value.RefreshInterval;

    protected override bool Runs => Enabled;

    protected override Task<long> StoreVersion() => Store.Version();

    protected override async Task<long> Load()
    {
        var snapshot = await Store.Snapshot();
        Volatile.Write(ref _authorizer, new AclAuthorizer(snapshot.Acls, options.Value.SuperUsers.ToHashSet(), options.Value.AllowEveryoneIfNoAclFound));
        return snapshot.Version;
    }

    protected override void Starting() => LogEnabled(options.Value.SuperUsers.Count, options.Value.AllowEveryoneIfNoAclFound);

    // The last ACLs read stay in force (or none, which denies all but super users) until the store answers.
    protected override void RefreshFailed(Exception exception) => LogRefreshFailed(exception.Message);

    [LoggerMessage(Level = LogLevel.Information, Message = "Authorization is on: requests are checked against the cluster's ACLs ({SuperUsers} super user(s); allow.everyone.if.no.acl.found {AllowIfNoAcl}).")]
    private partial void LogEnabled(int superUsers, bool allowIfNoAcl);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the cluster's ACLs ({Message}); the last ones read stay in force.")]
    private partial void LogRefreshFailed(string message);
}
