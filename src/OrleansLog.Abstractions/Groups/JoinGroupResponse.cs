using System.Collections.Immutable;
using OrleansLog.Partitions;

namespace OrleansLog.Groups;

/// <summary>The member's id, the group's generation, and the partitions the member may consume now.</summary>
[GenerateSerializer, Immutable]
public sealed record JoinGroupResponse(
    [property: Id(0)] ErrorCode Error,
    [property: Id(1)] string MemberId,
    [property: Id(2)] int Generation,
    [property: Id(3)] ImmutableArray<TopicPartition> Assignment,
    [property: Id(4)] string? ErrorMessage = null);
