using System.Collections.Concurrent;
using OrleansLog.Partitions;

namespace OrleansLog.Server.Partitions;

/// <summary>
/// The partition grain activations running on this silo, so that news about a partition (a new leader epoch, a
/// changed ISR or config) reaches the activation that is running and does not start one that is not: at 30,000
/// partitions most are idle, and telling each of them about a broker's restart used to activate every one.
/// Thread-safe: activations add and remove themselves from their own turns on any thread.
/// </summary>
public sealed class ActivePartitions
{
    private readonly ConcurrentDictionary<TopicPartition, byte> _running = new();

    public int Count => _running.Count;

    public void Activated(TopicPartition partition) => _running[partition] = 0;

    public void Deactivated(TopicPartition partition) => _running.TryRemove(partition, out _);

    public bool IsRunning(TopicPartition partition) => _running.ContainsKey(partition);
}
