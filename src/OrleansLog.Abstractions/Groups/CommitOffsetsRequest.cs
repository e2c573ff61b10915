using System.Collections.Immutable;

namespace OrleansLog.Groups;

/// <summary>
/// Offsets to commit (each the next offset to consume). A group member passes its id and generation;
/// a consumer with manually assigned partitions passes no member id and generation -1, which the group
/// accepts only while it has no members.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record CommitOffsetsRequest(
    [property: Id(0)] string? MemberId,
    [property: Id(1)] int Generation,
    [property: Id(2)] ImmutableArray<CommittedOffset> Offsets);
