using System.Collections.Immutable;
using OrleansLog.Partitions;

namespace OrleansLog.Groups;

/// <summary>One member: its ids, subscription, and the partitions it holds (assigned or not yet released).</summary>
[GenerateSerializer, Immutable]
public sealed record GroupMemberDescription(
    [property: Id(0)] string MemberId,
    [property: Id(1)] string ClientId,
    [property: Id(2)] ImmutableArray<string> Topics,
    [property: Id(3)] ImmutableArray<TopicPartition> Assignment);
