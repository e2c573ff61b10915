using System.Collections.Immutable;
using OrleansLog.Metadata;
using OrleansLog.Partitions;

namespace OrleansLog.Topics;

/// <summary>A topic's description with the state of each partition.</summary>
[GenerateSerializer, Immutable]
public sealed record TopicDetails(
    [property: Id(0)] TopicDescription Topic,
    [property: Id(1)] ImmutableArray<PartitionState> Partitions);
