using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansLog.Metadata;
using OrleansLog.Partitions;
using OrleansLog.Replication;
using OrleansLog.Server.Brokers;
using OrleansLog.Server.Partitions;

namespace OrleansLog.Server.Replication;

/// <summary>
/// Applies the coordinator's leadership news on this broker (<see cref="IReplicaManagerGrain.Apply"/>), without starting
/// what is idle: each local follower replica learns the new leader epoch through <see cref="LocalReplicas"/> (which is
/// what fences a deposed leader; no follower grain needs to run for it), a partition activation running here takes the
/// new state at once (a deposed leader steps down, a leader hears its new ISR or config), and a leader asked to wake is
/// queued on the <see cref="LeaderWaker"/>. Thread-safe: it keeps no state of its own.
/// </summary>
public sealed partial class ReplicaManager(
    IGrainFactory grains,
    LocalReplicas replicas,
    ActivePartitions active,
    LeaderWaker waker,
    IOptions<BrokerOptions> broker,
    TimeProvider time,
    ILogger<ReplicaManager> logger)
{
    /// <summary>Running activations told at the same time (each a local call that only updates memory).</summary>
    public const int RefreshConcurrency = 32;

    private static readonly TimeSpan RefreshTimeout = TimeSpan.FromSeconds(10);

    public async Task ApplyAsync(ImmutableArray<LeadershipNotice> notices)
    {
        var local = broker.Value.Id;
        var running = new List<(TopicPartition Partition, TopicDescription Topic)>();
        foreach (var notice in notices)
        {
            var topic = notice.Topic;
            foreach (var index in notice.Partitions)
            {
                if (index < 0 || index >= topic.PartitionCount)
                {
                    continue;
                }

                var leadership = topic.Partitions[index];
                var partition = new TopicPartition(topic.Name, index);
                if (leadership.Leader != local && leadership.Replicas.Contains(local))
                {
                    replicas.Get(partition, topic.TopicId).Observe(leadership.LeaderEpoch);
                }

                if (active.IsRunning(partition))
                {
                    running.Add((partition, topic));
                }
                else if (leadership.IsOnline && notice.Wake.Contains(index) && leadership.Leader == local)
                {
                    waker.Wake(partition, topic);
                }
            }
        }

        await Parallel.ForEachAsync(running, new ParallelOptions { MaxDegreeOfParallelism = RefreshConcurrency }, async (item, cancellation) =>
        {
            try
            {
                await grains.GetPartitionGrain(item.Partition.Topic, item.Partition.Partition).Refresh(item.Topic).WaitAsync(RefreshTimeout, time, cancellation);
            }
            catch (Exception e)
            {
                // The activation ends or learns the same from its own next call to the coordinator.
                LogRefreshFailed(item.Partition.DirectoryName, e.Message);
            }
        });
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Partition}: the running activation did not take the coordinator's change ({Message}).")]
    private partial void LogRefreshFailed(string partition, string message);
}
