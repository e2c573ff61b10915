namespace OrleansLog.Groups;

/// <summary>This member's assignment for the generation, or why there is none; <see cref="Pending"/> while the leader has not sent the assignments yet.</summary>
[GenerateSerializer, Immutable]
public sealed record ClassicSyncResponse(
    [property: Id(0)] ErrorCode Error,
    [property: Id(1)] ReadOnlyMemory<byte> Assignment,
    [property: Id(2)] bool Pending = false,
    [property: Id(3)] string? ProtocolType = null,
    [property: Id(4)] string? ProtocolName = null)
{
    public static ClassicSyncResponse Failed(ErrorCode error) => new(error, ReadOnlyMemory<byte>.Empty);
}
