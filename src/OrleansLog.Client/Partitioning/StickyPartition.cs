namespace OrleansLog.Client.Partitioning;

/// <summary>
/// The current partition of one topic for records without a key (Kafka's sticky partitioner, KIP-480):
/// kept until a batch for it fills, then another chosen at random, so keyless records make few, full
/// batches. Thread-safe.
/// </summary>
internal sealed class StickyPartition
{
    private readonly Lock _lock = new();
    private int _partition = -1;
    private int _partitionCount;

    public int Current(int partitionCount)
    {
        lock (_lock)
        {
            if (_partition < 0 || _partition >= partitionCount || _partitionCount != partitionCount)
            {
                _partitionCount = partitionCount;
                _partition = Random.Shared.Next(partitionCount);
            }

            return _partition;
        }
    }

    public void BatchFull(int partition)
    {
        lock (_lock)
        {
            if (partition == _partition && _partitionCount > 1)
            {
                _partition = (_partition + 1 + Random.Shared.Next(_partitionCount - 1)) % _partitionCount;
            }
        }
    }
}
