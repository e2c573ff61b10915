namespace OrleansLog.Partitions;

/// <summary>
/// The answer to a produce: the base offset assigned to the first batch and, on a LogAppendTime topic, the
/// time the leader stamped on it (else -1); or an error code (and nothing was written), with the index of the
/// record in the batch that caused it when one did (Kafka's record_errors), else -1.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ProduceResponse(
    [property: Id(0)] ErrorCode Error,
    [property: Id(1)] long BaseOffset,
    [property: Id(2)] long LogStartOffset,
    [property: Id(3)] string? ErrorMessage = null,
    [property: Id(4)] long LogAppendTime = -1,
    [property: Id(5)] int RecordIndex = -1)
{
    public static ProduceResponse Failed(OrleansLogException error, long logStartOffset = -1) => new(error.Code, -1, logStartOffset, error.Message);
}
