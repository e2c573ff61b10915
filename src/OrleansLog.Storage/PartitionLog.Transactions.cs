using OrleansLog.Records;
using OrleansLog.Storage.Transactions;
using static OrleansLog.Records.RecordBatchLayout;

namespace OrleansLog.Storage;

/// <summary>The log's aborted-transaction index (see <see cref="AbortedTransactionIndex"/>): what a read_committed reader skips.</summary>
public sealed partial class PartitionLog
{
    private readonly AbortedTransactionIndex _aborted;

    /// <summary>
    /// Appends a transaction marker (one control batch, built by the broker for its transaction coordinator) as leader:
    /// it gets the next offset and <paramref name="leaderEpoch"/>, and is stored as built (never recompressed).
    /// </summary>
    public LogAppendInfo AppendMarker(ReadOnlyMemory<byte> marker, int leaderEpoch)
    {
        var count = RecordBatchValidator.Validate(marker.Span, int.MaxValue, producerBatch: false);
        if (count != 1 || !RecordBatchHeader.Read(marker.Span).IsControl)
        {
            throw new ArgumentException("A marker is exactly one control batch.", nameof(marker));
        }

        using var scope = _locks.Write();
        return AppendLocked(marker, count, leaderEpoch, assignOffsets: true, Config, NoTimestamp);
    }

    /// <summary>How many aborted transactions the index holds (for tests and diagnostics).</summary>
    public long AbortedTransactionCount => _aborted.Count;

    /// <summary>
    /// Records an aborted transaction whose abort marker is in the log at <see cref="AbortedTransactionEntry.LastOffset"/>.
    /// Idempotent: a marker at or below the newest recorded one is ignored, so rebuilding from the log may call it again.
    /// Durable with the log's next flush (or <see cref="FlushTransactionIndex"/>).
    /// </summary>
    public bool AppendAbortedTransaction(AbortedTransactionEntry entry)
    {
        using var scope = _locks.Write();
        if (entry.LastOffset >= _logEndOffset || entry.FirstOffset > entry.LastOffset)
        {
            throw new ArgumentOutOfRangeException(nameof(entry), entry, $"The abort marker must be in the log (below {_logEndOffset}), after the transaction's first offset.");
        }

        var written = false;
        _fence.Guard(() => written = _aborted.Append(entry));
        return written;
    }

    /// <summary>The aborted transactions a read of <c>[fetchOffset, upperBound)</c> must skip, in marker order.</summary>
    public List<AbortedTransactionEntry> CollectAbortedTransactions(long fetchOffset, long upperBound)
    {
        var found = new List<AbortedTransactionEntry>();
        using var scope = _locks.Read();
        _fence.Guard(() => _aborted.Collect(fetchOffset, upperBound, found));
        return found;
    }

    /// <summary>Makes every recorded aborted transaction durable (before a producer state snapshot that relies on them).</summary>
    public void FlushTransactionIndex()
    {
        using var scope = _locks.Write();
        _fence.Guard(_aborted.Flush);
    }

    /// <summary>The log was cut back to <paramref name="offset"/>: aborted transactions whose marker went go too.</summary>
    private void TransactionsCutBack(long offset) => _aborted.TruncateFrom(offset);
}
