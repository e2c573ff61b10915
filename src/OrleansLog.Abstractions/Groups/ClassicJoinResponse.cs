using System.Collections.Immutable;

namespace OrleansLog.Groups;

/// <summary>
/// The answer to a classic join: the generation, the chosen protocol, the leader, this member's id and,
/// for the leader only, every member's metadata to compute the assignment from. <see cref="Pending"/>: the
/// rebalance is not complete yet, ask again with <see cref="ClassicJoinRequest.Resume"/>.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ClassicJoinResponse(
    [property: Id(0)] ErrorCode Error,
    [property: Id(1)] int Generation,
    [property: Id(2)] string? ProtocolName,
    [property: Id(3)] string Leader,
    [property: Id(4)] string MemberId,
    [property: Id(5)] ImmutableArray<ClassicMemberMetadata> Members,
    [property: Id(6)] bool Pending = false,
    [property: Id(7)] string? ProtocolType = null)
{
    public static ClassicJoinResponse Failed(ErrorCode error, string memberId = "") => new(error, -1, null, "", memberId, []);
}
