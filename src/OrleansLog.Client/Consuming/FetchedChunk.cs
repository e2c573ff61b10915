using System.Collections.Immutable;
using OrleansLog.Partitions;

namespace OrleansLog.Client.Consuming;

/// <summary>
/// What a partition's fetcher hands the consumer: the batches of one fetch, or an error to raise. It
/// carries the fetcher's version at fetch time, so a seek, pause or revocation since then discards it.
/// A chunk with no fetcher only wakes a waiting consume (an assignment change is pending). <see cref="Batches"/> may sit in
/// a pooled array, handed back by <see cref="PartitionFetcher.Release"/> once the consumer has decoded them or dropped the
/// chunk (decoding copies keys, values and headers, so no record keeps the array).
/// </summary>
internal sealed record FetchedChunk(PartitionFetcher? Fetcher, int Version, FetchedBatches Batches, ConsumeException? Error = null, ImmutableArray<AbortedTransaction> Aborted = default)
{
    public static readonly FetchedChunk Wake = new(null, 0, FetchedBatches.Empty);
}
