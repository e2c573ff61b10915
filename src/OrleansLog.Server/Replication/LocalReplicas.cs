using System.Collections.Concurrent;
using OrleansLog.Partitions;

namespace OrleansLog.Server.Replication;

/// <summary>This broker's <see cref="LocalReplica"/> per partition (a silo singleton, not persisted: epochs come back from the coordinator and leaders).</summary>
public sealed class LocalReplicas
{
    private readonly ConcurrentDictionary<TopicPartition, LocalReplica> _replicas = new();

    public LocalReplica Get(TopicPartition partition) => _replicas.GetOrAdd(partition, static _ => new LocalReplica());

    public void Forget(TopicPartition partition) => _replicas.TryRemove(partition, out _);
}
