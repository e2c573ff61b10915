using OrleansLog.Server.Producers;
using OrleansLog.Storage;

namespace OrleansLog.Server.Replication;

/// <summary>
/// Producer snapshots in a follower's log directory, as a leader writes them (Kafka's followers keep producer
/// state too): every <see cref="ProducerStateOptions.SnapshotEveryOffsets"/> offsets the follower rebuilds
/// the table from its newest snapshot and the batches after it, drops expired producers, and snapshots it as
/// of its log end. So when this replica becomes leader, its <see cref="ProducerStateLoader.Load"/> starts from
/// a recent snapshot, and a producer's retry of a batch written long ago (more than the loader's window of
/// offsets without a snapshot) is still recognised as a duplicate after a failover.
/// <para>
/// The table is not kept between snapshots: rebuilding reads each batch header once more, from the page
/// cache, and a truncated tail (the follower reconciled with a new leader) needs no bookkeeping, because
/// the loader only trusts snapshots that still describe the log.
/// </para>
/// <para>Concurrency: not thread-safe; the follower grain calls it from its turns.</para>
/// </summary>
public sealed class FollowerProducerSnapshots(PartitionLog log, ProducerStateOptions options, TimeProvider time)
{
    private long _snapshotOffset = ProducerStateLoader.NewestSnapshotOffset(log) ?? log.LogStartOffset;

    /// <summary>Snapshots when the log grew by <see cref="ProducerStateOptions.SnapshotEveryOffsets"/> since the last one; true when it did.</summary>
    public bool SnapshotIfDue()
    {
        var end = log.LogEndOffset;
        if (end - _snapshotOffset < options.SnapshotEveryOffsets && end >= _snapshotOffset)
        {
            return false;
        }

        var table = new ProducerStateTable();
        ProducerStateLoader.Load(log, table);
        table.ExpireProducers(time.GetUtcNow().ToUnixTimeMilliseconds(), (long)options.IdExpiration.TotalMilliseconds);
        ProducerStateLoader.Snapshot(log, table, end);
        _snapshotOffset = end;
        return true;
    }
}
