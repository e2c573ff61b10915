namespace OrleansLog.Storage.Transactions;

/// <summary>
/// One aborted transaction of a partition, as Kafka's transaction index holds it: the producer, the first offset of its
/// data in this partition, the offset of its abort marker, and the last stable offset when the marker was written (the
/// first offset of any transaction still open then, or the marker's next offset): no transaction aborted later can start
/// below it, which is where a reader's scan may stop.
/// </summary>
public readonly record struct AbortedTransactionEntry(long ProducerId, long FirstOffset, long LastOffset, long LastStableOffset);
