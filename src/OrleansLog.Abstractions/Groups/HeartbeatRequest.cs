using System.Collections.Immutable;
using OrleansLog.Partitions;

namespace OrleansLog.Groups;

/// <summary>
/// A member's heartbeat. <see cref="Owned"/> is every partition the member may still be consuming:
/// those it applied and has not yet given up, plus those it was told and has not yet applied. The group
/// hands a partition to another member only once it is missing from this set.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record HeartbeatRequest(
    [property: Id(0)] string MemberId,
    [property: Id(1)] int Generation,
    [property: Id(2)] ImmutableArray<TopicPartition> Owned);
