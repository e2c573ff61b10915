namespace OrleansLog.Groups;

/// <summary>A member as the leader sees it in a classic join: its ids and its metadata for the chosen protocol.</summary>
[GenerateSerializer, Immutable]
public sealed record ClassicMemberMetadata(
    [property: Id(0)] string MemberId,
    [property: Id(1)] string? GroupInstanceId,
    [property: Id(2)] ReadOnlyMemory<byte> Metadata);
