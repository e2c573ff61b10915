namespace OrleansLog.Producers;

/// <summary>
/// Hands out producer ids for idempotent producers (Kafka's InitProducerId), one grain per cluster
/// (key <see cref="ClusterKey"/>). Ids are never reused: the counter is persisted before an id is given out.
/// </summary>
public interface IProducerIdGrain : IGrainWithStringKey
{
    const string ClusterKey = "cluster";

    Task<ProducerIdentity> InitProducerId();
}
