using OrleansLog.Partitions;

namespace OrleansLog.Client;

/// <summary>A partition and an offset in it: a position, a commit, or a seek target (see <see cref="Offsets"/> for special values).</summary>
public readonly record struct TopicPartitionOffset(string Topic, int Partition, long Offset)
{
    public TopicPartitionOffset(TopicPartition partition, long offset)
        : this(partition.Topic, partition.Partition, offset)
    {
    }

    public TopicPartition TopicPartition => new(Topic, Partition);

    public override string ToString() => $"{Topic}-{Partition}@{Offset}";
}
