using OrleansLog.Partitions;

namespace OrleansLog.Client.Consuming;

/// <summary>One consumed record and where it came from.</summary>
public sealed class ConsumeResult<TKey, TValue>
{
    public required string Topic { get; init; }

    public required int Partition { get; init; }

    public required long Offset { get; init; }

    public required Message<TKey, TValue> Message { get; init; }

    public TopicPartition TopicPartition => new(Topic, Partition);

    public TopicPartitionOffset TopicPartitionOffset => new(Topic, Partition, Offset);
}
