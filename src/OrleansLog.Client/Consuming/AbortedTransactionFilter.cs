using System.Collections.Immutable;
using OrleansLog.Partitions;
using OrleansLog.Records;

namespace OrleansLog.Client.Consuming;

/// <summary>
/// Which batches of one read_committed fetch belong to aborted transactions (Kafka's consumer rule): the fetch names each
/// aborted transaction's producer and first offset; from that offset on, the producer's transactional batches are skipped
/// until its abort marker. Control batches are skipped by the decoder anyway.
/// <para>Not thread-safe: the consumer's polling thread walks one fetch's batches in order.</para>
/// </summary>
internal sealed class AbortedTransactionFilter
{
    private readonly Queue<AbortedTransaction> _upcoming;
    private readonly HashSet<long> _aborting = [];

    public AbortedTransactionFilter(ImmutableArray<AbortedTransaction> aborted)
    {
        _upcoming = new Queue<AbortedTransaction>(aborted.IsDefaultOrEmpty ? [] : aborted.OrderBy(a => a.FirstOffset));
    }

    /// <summary>Whether <paramref name="batch"/> (the next one, in offset order) must be skipped.</summary>
    public bool Skips(ReadOnlySpan<byte> batch)
    {
        if (_upcoming.Count == 0 && _aborting.Count == 0)
        {
            return false;
        }

        var header = RecordBatchHeader.Read(batch);
        while (_upcoming.TryPeek(out var next) && next.FirstOffset <= header.LastOffset)
        {
            _aborting.Add(_upcoming.Dequeue().ProducerId);
        }

        if (header.IsControl)
        {
            if (TransactionMarker.TryRead(batch, out var marker) && marker.Type == ControlRecordType.Abort)
            {
                _aborting.Remove(header.ProducerId);
            }

            return true;
        }

        return header.IsTransactional && _aborting.Contains(header.ProducerId);
    }
}
