using System.Collections.Concurrent;
using OrleansLog.Partitions;

namespace OrleansLog.Server.Replication;

/// <summary>
/// This broker's <see cref="LocalReplica"/> per partition and topic id (a silo singleton, not persisted:
/// epochs come back from the coordinator and leaders). Asking for another topic id than the one held
/// replaces it: the topic was deleted and recreated.
/// </summary>
public sealed class LocalReplicas : ILocalHighWatermarks
{
    private readonly ConcurrentDictionary<TopicPartition, LocalReplica> _replicas = new();

    public LocalReplica Get(TopicPartition partition, Guid topicId) =>
        _replicas.AddOrUpdate(partition, static (_, id) => new LocalReplica(id), static (_, held, id) => held.TopicId == id ? held : new LocalReplica(id), topicId);

    /// <summary>The replica state held for <paramref name="partition"/> of topic <paramref name="topicId"/>, if any.</summary>
    public LocalReplica? TryGet(TopicPartition partition, Guid topicId) =>
        _replicas.TryGetValue(partition, out var replica) && replica.TopicId == topicId ? replica : null;

    public void Forget(TopicPartition partition) => _replicas.TryRemove(partition, out _);

    public IReadOnlyDictionary<string, long> SumsByTopic()
    {
        var sums = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (partition, replica) in _replicas)
        {
            sums[partition.Topic] = sums.GetValueOrDefault(partition.Topic) + Math.Max(0, replica.HighWatermark);
        }

        return sums;
    }
}
