using System.Collections.Immutable;
using Orleans.Concurrency;

namespace OrleansLog.Security;

/// <summary>
/// The cluster's ACLs (key <see cref="ClusterKey"/>), persisted in the cluster's grain storage, with a version that
/// moves on every change so each broker's cache knows when to read them again.
/// </summary>
public interface IAclStoreGrain : IGrainWithStringKey
{
    public const string ClusterKey = "cluster";

    /// <summary>The version of the ACLs (0 before any change).</summary>
    [AlwaysInterleave]
    [RequiresAcl(AclOperation.Describe, AclResourceType.Cluster, AclResourceSource.Cluster)]
    Task<long> Version();

    /// <summary>Every ACL, with its version.</summary>
    [AlwaysInterleave]
    [RequiresAcl(AclOperation.Describe, AclResourceType.Cluster, AclResourceSource.Cluster)]
    Task<AclSnapshot> Snapshot();

    /// <summary>Adds ACLs (one already present is not added twice); the answer holds each one's refusal, or null.</summary>
    [RequiresAcl(AclOperation.Alter, AclResourceType.Cluster, AclResourceSource.Cluster)]
    Task<ImmutableArray<string?>> Create(ImmutableArray<AclBinding> acls);

    /// <summary>Deletes the ACLs each filter matches; the answer holds, per filter, the ACLs it deleted.</summary>
    [RequiresAcl(AclOperation.Alter, AclResourceType.Cluster, AclResourceSource.Cluster)]
    Task<ImmutableArray<ImmutableArray<AclBinding>>> Delete(ImmutableArray<AclFilter> filters);
}

/// <summary>Every ACL at one version.</summary>
[GenerateSerializer, Immutable]
public sealed record AclSnapshot([property: Id(0)] long Version, [property: Id(1)] ImmutableArray<AclBinding> Acls);
