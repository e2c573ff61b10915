using OrleansLog.Records;
using OrleansLog.Storage.Transactions;

namespace OrleansLog.Storage.Compaction;

/// <summary>
/// What one cleaner pass knows of transactions as it reads the log in offset order (Kafka's CleanedTransactionMetadata):
/// which producers are inside an aborted transaction (from the log's aborted-transaction index), whose data batches it
/// drops, and which transactions it saw data of, whose markers it must keep. A marker whose transaction has no data
/// left in the log may go (once <c>delete.retention.ms</c> has passed, the caller's rule); so a transactional batch that
/// stays is always followed by its marker, and rebuilding producer state from the log never finds a transaction that
/// never ends.
/// <para>Not thread-safe: one pass walks it, one batch at a time.</para>
/// </summary>
public sealed class CleanerTransactions
{
    private readonly Queue<AbortedTransactionEntry> _upcoming;

    /// <summary>Producers inside an aborted transaction, and whether this pass read any of its batches.</summary>
    private readonly Dictionary<long, bool> _aborting = [];

    /// <summary>Producers whose committed (or still open) transaction this pass read data of.</summary>
    private readonly HashSet<long> _committing = [];

    public CleanerTransactions(IEnumerable<AbortedTransactionEntry> aborted)
    {
        _upcoming = new Queue<AbortedTransactionEntry>(aborted.OrderBy(a => a.FirstOffset));
    }

    /// <summary>Whether a data batch belongs to an aborted transaction (it is dropped; read_committed readers never saw it).</summary>
    public bool IsAborted(in RecordBatchHeader header)
    {
        StartUpTo(header.LastOffset);
        if (!header.IsTransactional)
        {
            return false;
        }

        if (_aborting.ContainsKey(header.ProducerId))
        {
            _aborting[header.ProducerId] = true;
            return true;
        }

        _committing.Add(header.ProducerId);
        return false;
    }

    /// <summary>Whether a control batch's transaction has no data left in the log, so its marker is no longer needed.</summary>
    public bool MarkerIsSpent(ReadOnlySpan<byte> batch, in RecordBatchHeader header)
    {
        StartUpTo(header.LastOffset);
        if (!TransactionMarker.TryRead(batch, out var marker))
        {
            // Not a marker this broker knows: kept as it is.
            return false;
        }

        return marker.Type == ControlRecordType.Abort
            ? !(_aborting.Remove(header.ProducerId, out var read) && read)
            : !_committing.Remove(header.ProducerId);
    }

    /// <summary>
    /// For the offset map: whether a batch's keys must not be mapped. An aborted transaction's records must not shadow the
    /// committed records of their keys, and markers have no keys; a marker still ends its transaction here.
    /// </summary>
    public bool SkipsWhenMapping(ReadOnlySpan<byte> batch, in RecordBatchHeader header)
    {
        if (header.IsControl)
        {
            MarkerIsSpent(batch, header);
            return true;
        }

        return IsAborted(header);
    }

    private void StartUpTo(long offset)
    {
        while (_upcoming.TryPeek(out var next) && next.FirstOffset <= offset)
        {
            _aborting[_upcoming.Dequeue().ProducerId] = false;
        }
    }
}
