using OrleansLog.Partitions;

namespace OrleansLog.Client.Producing;

/// <summary>
/// One partition's batches waiting to be sent, oldest first. At most one batch per partition is in
/// flight, so batches arrive in order and a retry never overtakes a later batch; while one is in flight
/// the next grows (up to <c>max.request.size</c>), so a busy partition sends bigger batches rather than
/// more of them. Guarded by locking the queue itself.
/// </summary>
internal sealed class PartitionQueue(TopicPartition partition)
{
    public TopicPartition Partition { get; } = partition;

    public Queue<OpenBatch> Batches { get; } = new();

    public OpenBatch? Last { get; set; }

    /// <summary>The batch being sent, or null.</summary>
    public OpenBatch? InFlightBatch { get; set; }

    /// <summary>Removes the oldest batch; when it was also the newest, later records open a new one.</summary>
    public OpenBatch TakeOldest()
    {
        var batch = Batches.Dequeue();
        if (ReferenceEquals(Last, batch))
        {
            Last = null;
        }

        return batch;
    }

    /// <summary>The sequence number of the next batch's first record (idempotent producers).</summary>
    public int NextSequence { get; set; }
}
