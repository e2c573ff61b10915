namespace OrleansLog.Groups;

/// <summary>NONE once the offsets are durable; otherwise why nothing was committed.</summary>
[GenerateSerializer, Immutable]
public sealed record CommitOffsetsResponse([property: Id(0)] ErrorCode Error, [property: Id(1)] string? ErrorMessage = null)
{
    public static readonly CommitOffsetsResponse Success = new(ErrorCode.None);
}
