namespace OrleansLog.Partitions;

/// <summary>The answer to a produce: the base offset assigned to the first batch, or an error code (and nothing was written).</summary>
[GenerateSerializer, Immutable]
public sealed record ProduceResponse(
    [property: Id(0)] ErrorCode Error,
    [property: Id(1)] long BaseOffset,
    [property: Id(2)] long LogStartOffset,
    [property: Id(3)] string? ErrorMessage = null)
{
    public static ProduceResponse Failed(OrleansLogException error, long logStartOffset = -1) => new(error.Code, -1, logStartOffset, error.Message);
}
