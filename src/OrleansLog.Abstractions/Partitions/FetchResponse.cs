namespace OrleansLog.Partitions;

/// <summary>
/// Whole record batches as stored, from the one holding the requested offset (it may start earlier),
/// all below <see cref="HighWatermark"/>; or an error such as OFFSET_OUT_OF_RANGE with the valid range.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record FetchResponse(
    [property: Id(0)] ErrorCode Error,
    [property: Id(1)] ReadOnlyMemory<byte> Records,
    [property: Id(2)] long HighWatermark,
    [property: Id(3)] long LogStartOffset,
    [property: Id(4)] long NextOffset,
    [property: Id(5)] string? ErrorMessage = null);
