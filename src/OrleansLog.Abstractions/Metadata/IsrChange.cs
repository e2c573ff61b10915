using System.Collections.Immutable;

namespace OrleansLog.Metadata;

/// <summary>One leader's ISR change in a batch (<see cref="IMetadataGrain.AlterIsrs"/>): the same fields as <see cref="IMetadataGrain.AlterIsr"/>.</summary>
[GenerateSerializer, Immutable]
public sealed record IsrChange(
    [property: Id(0)] string Topic,
    [property: Id(1)] int Partition,
    [property: Id(2)] int LeaderEpoch,
    [property: Id(3)] int PartitionEpoch,
    [property: Id(4)] ImmutableArray<int> Isr);

/// <summary>The coordinator's answer to one <see cref="IsrChange"/>: the partition's state after it, or why it was refused.</summary>
[GenerateSerializer, Immutable]
public sealed record IsrChangeResult(
    [property: Id(0)] PartitionLeadership? Leadership,
    [property: Id(1)] ErrorCode Error,
    [property: Id(2)] string? Message);
