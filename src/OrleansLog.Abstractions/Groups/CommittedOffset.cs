using OrleansLog.Partitions;

namespace OrleansLog.Groups;

/// <summary>A partition's committed offset: the next offset the group will consume there, with optional metadata.</summary>
[GenerateSerializer, Immutable]
public sealed record CommittedOffset(
    [property: Id(0)] TopicPartition Partition,
    [property: Id(1)] long Offset,
    [property: Id(2)] string? Metadata = null);
