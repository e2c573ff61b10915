using System.Collections.Immutable;
using Orleans.Serialization;
using OrleansLog.Security;
using OrleansLog.Server.Persistence;
using OrleansLog.Server.Security.Audit;

namespace OrleansLog.Server.Security;

/// <summary>
/// The cluster's ACLs (see <see cref="IAclStoreGrain"/>). Each new ACL is checked as Kafka's CreateAcls checks it (a
/// concrete resource type, LITERAL or PREFIXED, a concrete operation and permission, a "Type:name" principal, a host,
/// the cluster resource named "kafka-cluster"); changes are written before they are answered, and a failed write leaves
/// the state as it was. Concurrency: not reentrant for changes; reads interleave.
/// </summary>
public sealed class AclStoreGrain(
    [PersistentState("acls", OrleansLogStorage.Name)] IPersistentState<AclStoreState> state,
    DeepCopier copier,
    AuditLog audit) : Grain, IAclStoreGrain
{
    /// <summary>The most ACLs the cluster keeps: each broker holds them all in memory.</summary>
    public const int MaxAcls = 100_000;

    public Task<long> Version() => Task.FromResult(state.State.Version);

    public Task<AclSnapshot> Snapshot() => Task.FromResult(new AclSnapshot(state.State.Version, [.. state.State.Acls]));

    public Task<ImmutableArray<string?>> Create(ImmutableArray<AclBinding> acls) =>
        audit.Change("CreateAcls", Resources(acls), () => CreateCore(acls));

    private async Task<ImmutableArray<string?>> CreateCore(ImmutableArray<AclBinding> acls)
    {
        var before = copier.Copy(state.State);
        var results = new string?[acls.Length];
        var added = 0;
        for (var i = 0; i < acls.Length; i++)
        {
            results[i] = Refusal(acls[i]) ?? (state.State.Acls.Count >= MaxAcls ? $"the cluster already holds {MaxAcls} ACLs" : null);
            if (results[i] is null && !state.State.Acls.Contains(acls[i]))
            {
                state.State.Acls.Add(acls[i]);
                added++;
            }
        }

        if (added > 0)
        {
            state.State.Version++;
            await state.WriteOrRestoreAsync(before, "the creation of ACLs");
        }

        return [.. results];
    }

    public Task<ImmutableArray<ImmutableArray<AclBinding>>> Delete(ImmutableArray<AclFilter> filters) =>
        audit.Change("DeleteAcls", string.Join(", ", filters.Select(f => $"{f.ResourceType}:{f.ResourceName ?? "*"}").Distinct()), () => DeleteCore(filters));

    private async Task<ImmutableArray<ImmutableArray<AclBinding>>> DeleteCore(ImmutableArray<AclFilter> filters)
    {
        var before = copier.Copy(state.State);
        var deleted = filters.Select(f => state.State.Acls.Where(f.Matches).ToImmutableArray()).ToImmutableArray();
        var removed = state.State.Acls.RemoveAll(acl => filters.Any(f => f.Matches(acl)));
        if (removed > 0)
        {
            state.State.Version++;
            await state.WriteOrRestoreAsync(before, "the deletion of ACLs");
        }

        return deleted;
    }

    /// <summary>Why Kafka would refuse to create <paramref name="acl"/>, or null.</summary>
    public static string? Refusal(AclBinding acl)
    {
        if (acl.ResourceType is AclResourceType.Any or AclResourceType.Unknown || !Enum.IsDefined(acl.ResourceType))
        {
            return "the resource type must be TOPIC, GROUP, CLUSTER or TRANSACTIONAL_ID";
        }

        if (acl.PatternType is not (AclPatternType.Literal or AclPatternType.Prefixed))
        {
            return "the pattern type must be LITERAL or PREFIXED";
        }

        if (acl.Operation is AclOperation.Any or AclOperation.Unknown || !Enum.IsDefined(acl.Operation))
        {
            return "the operation must be a concrete one (ALL, READ, WRITE, ...)";
        }

        if (acl.Permission is not (AclPermissionType.Allow or AclPermissionType.Deny))
        {
            return "the permission type must be ALLOW or DENY";
        }

        if (string.IsNullOrEmpty(acl.ResourceName) || (acl.PatternType == AclPatternType.Prefixed && acl.ResourceName == AclBinding.Wildcard))
        {
            return "the resource name must not be empty (and a PREFIXED pattern cannot be \"*\")";
        }

        if (acl.ResourceType == AclResourceType.Cluster && acl.ResourceName != AclBinding.ClusterName)
        {
            return $"the cluster resource is named \"{AclBinding.ClusterName}\"";
        }

        if (acl.Principal.IndexOf(':', StringComparison.Ordinal) is <= 0 || acl.Principal.EndsWith(':'))
        {
            return $"the principal \"{acl.Principal}\" is not \"User:name\"";
        }

        return string.IsNullOrEmpty(acl.Host) ? "the host must be an address or \"*\"" : null;
    }

    /// <summary>The resources ACLs are about, as the audit trail names them.</summary>
    private static string Resources(ImmutableArray<AclBinding> acls) =>
        string.Join(", ", acls.Select(a => $"{a.ResourceType}:{a.ResourceName}").Distinct());
}
