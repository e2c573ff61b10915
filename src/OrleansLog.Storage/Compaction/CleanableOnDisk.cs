using OrleansLog.Records;
using OrleansLog.Storage.Checkpoints;
using OrleansLog.Storage.IO;
using OrleansLog.Storage.Segments;

namespace OrleansLog.Storage.Compaction;

/// <summary>
/// A cheap look at a closed compacted log's directory, for the broker's cleaner: whether a pass may be due, from the
/// segment files' names and sizes and the cleaner checkpoint, without opening the log. It errs one way only: a sealed
/// segment counts as dirty when the next segment starts above the first dirty offset (its own end is not read), and the
/// high watermark and compaction lags are not looked at, so "may be due" is checked again on the open log; "not due" is
/// certain for the dirty ratio and tombstones.
/// </summary>
public static class CleanableOnDisk
{
    public static bool MayBeDue(string directory, LogConfig config, long nowMs, IFileSystem? fileSystem = null)
    {
        fileSystem ??= DiskFileSystem.Instance;
        if (!config.Compact || !Directory.Exists(directory))
        {
            return false;
        }

        var segments = SegmentFileNames.ListBaseOffsets(fileSystem, directory);
        var checkpoint = CleanerCheckpoint.Read(fileSystem, directory);
        long clean = 0, dirty = 0;
        for (var i = 0; i < segments.Count - 1; i++)
        {
            var size = new FileInfo(SegmentFileNames.LogFile(directory, segments[i])).Length;
            if (segments[i + 1] > checkpoint.FirstDirtyOffset)
            {
                dirty += size;
            }
            else
            {
                clean += size;
            }
        }

        return (clean > 0 && checkpoint.TombstonesDueAtMs <= nowMs)
            || (dirty > 0 && (config.MaxCompactionLagMs != long.MaxValue || (double)dirty / (clean + dirty) >= config.MinCleanableDirtyRatio))
            || (segments.Count > 0 && ActivePastMaxLag(fileSystem, SegmentFileNames.LogFile(directory, segments[^1]), config, nowMs));
    }

    /// <summary>Whether the last segment's first batch is older than <c>max.compaction.lag.ms</c> (the open log then rolls it).</summary>
    private static bool ActivePastMaxLag(IFileSystem fileSystem, string path, LogConfig config, long nowMs)
    {
        if (config.MaxCompactionLagMs == long.MaxValue)
        {
            return false;
        }

        using var file = fileSystem.Open(path, create: false);
        Span<byte> header = stackalloc byte[RecordBatchLayout.HeaderSize];
        return file.Read(header, 0) == header.Length && RecordBatchHeader.Read(header).BaseTimestamp is >= 0 and var first && nowMs - first > config.MaxCompactionLagMs;
    }
}
