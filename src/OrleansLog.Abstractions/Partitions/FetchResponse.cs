using System.Collections.Immutable;

namespace OrleansLog.Partitions;

/// <summary>
/// Whole record batches as stored, from the one holding the requested offset (it may start earlier),
/// all below <see cref="HighWatermark"/>; or an error such as OFFSET_OUT_OF_RANGE with the valid range. A read_committed
/// fetch stops at <see cref="LastStableOffset"/> and names the <see cref="AbortedTransactions"/> whose batches it must skip.
/// The batches may sit in a pooled array (see <see cref="FetchedBatches"/>): a caller in the broker's own silo disposes
/// the answer once it has used them.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record FetchResponse(
    [property: Id(0)] ErrorCode Error,
    [property: Id(1)] FetchedBatches Batches,
    [property: Id(2)] long HighWatermark,
    [property: Id(3)] long LogStartOffset,
    [property: Id(4)] long NextOffset,
    [property: Id(5)] string? ErrorMessage = null,
    [property: Id(6)] long LastStableOffset = -1,
    [property: Id(7)] ImmutableArray<AbortedTransaction> AbortedTransactions = default) : IDisposable
{
    /// <summary>The batches, back to back.</summary>
    public ReadOnlyMemory<byte> Records => Batches.Memory;

    /// <summary>Where the partition's records readable at <paramref name="isolation"/> end: the last stable offset for read_committed.</summary>
    public long ReadableEnd(IsolationLevel isolation) =>
        isolation == IsolationLevel.ReadCommitted && LastStableOffset >= 0 ? LastStableOffset : HighWatermark;

    /// <summary>Hands pooled batches back (see <see cref="FetchedBatches"/>).</summary>
    public void Dispose() => Batches.Dispose();
}
