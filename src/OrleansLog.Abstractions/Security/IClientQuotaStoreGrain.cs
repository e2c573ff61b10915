using System.Collections.Immutable;
using Orleans.Concurrency;

namespace OrleansLog.Security;

/// <summary>
/// The cluster's client quotas (key <see cref="ClusterKey"/>), persisted in the cluster's grain storage, with a version
/// that moves on every change so each broker's cache knows when to read them again.
/// </summary>
public interface IClientQuotaStoreGrain : IGrainWithStringKey
{
    public const string ClusterKey = "cluster";

    /// <summary>The version of the quotas (0 before any change).</summary>
    [AlwaysInterleave]
    [RequiresAcl(AclOperation.DescribeConfigs, AclResourceType.Cluster, AclResourceSource.Cluster)]
    Task<long> Version();

    /// <summary>Every entity's quotas, with their version.</summary>
    [AlwaysInterleave]
    [RequiresAcl(AclOperation.DescribeConfigs, AclResourceType.Cluster, AclResourceSource.Cluster)]
    Task<ClientQuotaSnapshot> Snapshot();

    /// <summary>
    /// Applies the alterations (all that are valid, when not <paramref name="validateOnly"/>); the answer holds each
    /// one's refusal, or null.
    /// </summary>
    [RequiresAcl(AclOperation.AlterConfigs, AclResourceType.Cluster, AclResourceSource.Cluster)]
    Task<ImmutableArray<string?>> Alter(ImmutableArray<ClientQuotaAlteration> alterations, bool validateOnly);
}

/// <summary>Every entity's quotas at one version.</summary>
[GenerateSerializer, Immutable]
public sealed record ClientQuotaSnapshot([property: Id(0)] long Version, [property: Id(1)] ImmutableArray<ClientQuotaEntry> Entries);
