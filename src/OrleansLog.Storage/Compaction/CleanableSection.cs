namespace OrleansLog.Storage.Compaction;

/// <summary>
/// What the cleaner could clean in a log now: the sealed segments wholly below the high watermark and at least
/// <c>min.compaction.lag.ms</c> old, split at the first offset not cleaned yet into a clean part and a dirty part.
/// </summary>
/// <param name="FirstDirtyOffset">The first offset no pass has cleaned.</param>
/// <param name="EndOffset">Where the cleanable segments end (the base offset of the first one that is not).</param>
/// <param name="CleanBytes">Bytes of cleanable segments wholly below <paramref name="FirstDirtyOffset"/>.</param>
/// <param name="DirtyBytes">Bytes of the other cleanable segments.</param>
/// <param name="PastMaxCompactionLag">The oldest dirty record is older than <c>max.compaction.lag.ms</c>: clean it whatever the ratio.</param>
/// <param name="TombstonesDue">A tombstone the last pass kept is past <c>delete.retention.ms</c>: clean it even with nothing dirty.</param>
public readonly record struct CleanableSection(long FirstDirtyOffset, long EndOffset, long CleanBytes, long DirtyBytes, bool PastMaxCompactionLag, bool TombstonesDue)
{
    /// <summary>The dirty share of the cleanable bytes (Kafka's dirty ratio), 0 when nothing is cleanable.</summary>
    public double DirtyRatio => CleanBytes + DirtyBytes == 0 ? 0 : (double)DirtyBytes / (CleanBytes + DirtyBytes);

    /// <summary>Whether the cleaner should take the log now under <paramref name="config"/>.</summary>
    public bool IsDue(LogConfig config) => TombstonesDue || (DirtyBytes > 0 && (PastMaxCompactionLag || DirtyRatio >= config.MinCleanableDirtyRatio));
}
