using System.Collections.Immutable;
using OrleansLog.Partitions;

namespace OrleansLog.Groups;

/// <summary>
/// One member: its ids, subscription, and the partitions it holds (assigned or not yet released). Members
/// that joined through the Kafka protocol also carry their client host and their subscription metadata and
/// assignment as their client encoded them.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record GroupMemberDescription(
    [property: Id(0)] string MemberId,
    [property: Id(1)] string ClientId,
    [property: Id(2)] ImmutableArray<string> Topics,
    [property: Id(3)] ImmutableArray<TopicPartition> Assignment,
    [property: Id(4)] string? ClientHost = null,
    [property: Id(5)] ReadOnlyMemory<byte> MemberMetadata = default,
    [property: Id(6)] ReadOnlyMemory<byte> MemberAssignment = default,
    [property: Id(7)] string? GroupInstanceId = null);
