using System.Collections.Immutable;

namespace OrleansLog.Groups;

/// <summary>A Kafka SyncGroup: the leader sends every member's assignment (bytes, as its assignor encoded them); the others send none and wait for theirs. <see cref="Resume"/> as for joins.</summary>
[GenerateSerializer, Immutable]
public sealed record ClassicSyncRequest(
    [property: Id(0)] string MemberId,
    [property: Id(1)] int Generation,
    [property: Id(2)] ImmutableDictionary<string, ReadOnlyMemory<byte>> Assignments,
    [property: Id(3)] bool Resume = false);
