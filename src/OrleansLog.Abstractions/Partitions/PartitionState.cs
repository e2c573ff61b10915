namespace OrleansLog.Partitions;

/// <summary>A partition's positions and size, for describe and monitoring.</summary>
[GenerateSerializer, Immutable]
public sealed record PartitionState(
    [property: Id(0)] int Partition,
    [property: Id(1)] long LogStartOffset,
    [property: Id(2)] long LogEndOffset,
    [property: Id(3)] long HighWatermark,
    [property: Id(4)] long SizeInBytes,
    [property: Id(5)] int SegmentCount,
    [property: Id(6)] double DirtyRatio = -1)
{
    /// <summary>Whether <see cref="DirtyRatio"/> is known: the topic is compacted (a share of its cleanable bytes the cleaner has yet to clean, 0 to 1).</summary>
    public bool Compacted => DirtyRatio >= 0;

    /// <summary>A partition whose leader could not answer (offline, or failing over): positions unknown (-1).</summary>
    public static PartitionState Unavailable(int partition) => new(partition, -1, -1, -1, 0, 0);
}
