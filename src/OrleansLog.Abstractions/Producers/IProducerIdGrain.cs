using OrleansLog.Security;
using Orleans.Concurrency;

namespace OrleansLog.Producers;

/// <summary>
/// Hands out producer ids for idempotent producers (Kafka's InitProducerId), one grain per cluster
/// (key <see cref="ClusterKey"/>). Ids are never reused: the counter is persisted before an id is given out.
/// </summary>
public interface IProducerIdGrain : IGrainWithStringKey
{
    const string ClusterKey = "cluster";

    [RequiresAcl(AclOperation.IdempotentWrite, AclResourceType.Cluster, AclResourceSource.Cluster, OrWriteOnAnyTopic = true)]
    Task<ProducerIdentity> InitProducerId();

    /// <summary>Every id below this may have been handed out (the end of the reserved blocks); none at or above it has.</summary>
    [AlwaysInterleave]
    [Security.ClusterInternal]
    Task<long> AllocatedUpTo();
}
