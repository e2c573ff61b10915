using System.Collections.Immutable;
using OrleansLog.Partitions;

namespace OrleansLog.Groups;

/// <summary>
/// The member's assignment now. <see cref="Pending"/> says it is not final: partitions meant for this
/// member are still held by others (or this member must release some), so heartbeat again soon.
/// UNKNOWN_MEMBER_ID means the member expired: its partitions are lost and it must rejoin.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record HeartbeatResponse(
    [property: Id(0)] ErrorCode Error,
    [property: Id(1)] int Generation,
    [property: Id(2)] ImmutableArray<TopicPartition> Assignment,
    [property: Id(3)] bool Pending,
    [property: Id(4)] string? ErrorMessage = null);
