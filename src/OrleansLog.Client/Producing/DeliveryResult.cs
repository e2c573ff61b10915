using OrleansLog.Partitions;

namespace OrleansLog.Client.Producing;

/// <summary>Where a produced record landed: its partition, offset and timestamp.</summary>
public class DeliveryResult<TKey, TValue>
{
    public required string Topic { get; init; }

    public required int Partition { get; init; }

    /// <summary>The record's offset; -1 with acks=0 (nobody waited to learn it).</summary>
    public required long Offset { get; init; }

    /// <summary>The record's timestamp (milliseconds since the Unix epoch).</summary>
    public required long Timestamp { get; init; }

    public required Message<TKey, TValue> Message { get; init; }

    public TopicPartition TopicPartition => new(Topic, Partition);
}
