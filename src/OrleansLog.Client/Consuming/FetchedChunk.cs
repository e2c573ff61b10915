using System.Collections.Immutable;
using OrleansLog.Partitions;

namespace OrleansLog.Client.Consuming;

/// <summary>
/// What a partition's fetcher hands the consumer: the batches of one fetch, or an error to raise. It
/// carries the fetcher's version at fetch time, so a seek, pause or revocation since then discards it.
/// A chunk with no fetcher only wakes a waiting consume (an assignment change is pending).
/// </summary>
internal sealed record FetchedChunk(PartitionFetcher? Fetcher, int Version, ReadOnlyMemory<byte> Batches, ConsumeException? Error = null, ImmutableArray<AbortedTransaction> Aborted = default)
{
    public static readonly FetchedChunk Wake = new(null, 0, ReadOnlyMemory<byte>.Empty);
}
