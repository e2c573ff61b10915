namespace OrleansLog.Server.Replication;

/// <summary>
/// What this broker knows of one partition, shared by the partition grain (when this broker leads) and
/// the follower grain (when it follows): the newest leader epoch seen here, and the high watermark last
/// heard from a leader, which a follower promoted to leader starts from; both for one topic id (a topic
/// recreated under the same name starts a new replica, with epochs from the beginning). Thread-safe.
/// </summary>
public sealed class LocalReplica(Guid topicId = default)
{
    private int _knownEpoch = -1;
    private long _highWatermark;

    public Guid TopicId { get; } = topicId;

    public int KnownEpoch => Volatile.Read(ref _knownEpoch);

    public long HighWatermark => Volatile.Read(ref _highWatermark);

    /// <summary>Raises the known epoch; returns false when <paramref name="epoch"/> is older than one already seen (its sender was deposed).</summary>
    public bool Observe(int epoch)
    {
        while (true)
        {
            var known = Volatile.Read(ref _knownEpoch);
            if (epoch < known)
            {
                return false;
            }

            if (epoch == known || Interlocked.CompareExchange(ref _knownEpoch, epoch, known) == known)
            {
                return true;
            }
        }
    }

    public void SetHighWatermark(long offset) => Volatile.Write(ref _highWatermark, offset);
}
