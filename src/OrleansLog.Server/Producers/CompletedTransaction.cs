using OrleansLog.Storage.Transactions;

namespace OrleansLog.Server.Producers;

/// <summary>
/// A transaction a marker ended in one partition: its producer, its first offset here, the marker's offset, whether it
/// committed, and the last stable offset once it ended (the first offset of the oldest transaction still open, or the
/// marker's next offset): what the aborted-transaction index records for an abort.
/// </summary>
public readonly record struct CompletedTransaction(long ProducerId, long FirstOffset, long MarkerOffset, bool Committed, long LastStableOffset)
{
    public AbortedTransactionEntry ToIndexEntry() => new(ProducerId, FirstOffset, MarkerOffset, LastStableOffset);
}
