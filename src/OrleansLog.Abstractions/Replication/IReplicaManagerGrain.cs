using System.Collections.Immutable;

namespace OrleansLog.Replication;

/// <summary>
/// One per broker (key: the broker id), on that broker's silo: where the coordinator sends the leadership and ISR
/// changes that concern the broker's replicas, in batches, as Kafka's controller sends LeaderAndIsr to a broker's
/// replica manager. One call per broker per batch, where one call per replica activated every partition and follower
/// grain of a 30,000-partition cluster each time a broker stopped or came back.
/// </summary>
[Security.ClusterInternal]
public interface IReplicaManagerGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// Applies <paramref name="notices"/>: the local replicas learn each new leader epoch (older ones are refused from
    /// now on), running leader activations take the new state, and leaders asked to wake are queued to start. Returns
    /// once the epochs are known and the running activations heard; the waking goes on after.
    /// </summary>
    Task Apply(ImmutableArray<LeadershipNotice> notices);
}
