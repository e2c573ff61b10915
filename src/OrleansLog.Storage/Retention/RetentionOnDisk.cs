using OrleansLog.Storage.Index;
using OrleansLog.Storage.IO;
using OrleansLog.Storage.Segments;

namespace OrleansLog.Storage.Retention;

/// <summary>
/// A cheap look at a closed log's directory, for the broker's retention pass: whether retention may delete
/// something, read from the segment files' sizes and the oldest segment's time index, without opening the log.
/// It errs one way only: "may apply" can turn out to be nothing once the log is open (a time index holds some
/// timestamps, not every one), but "nothing to do" is certain, since a segment's newest record is at least as new
/// as the last timestamp its time index holds.
/// </summary>
public static class RetentionOnDisk
{
    public static bool MayApply(string directory, LogConfig config, long nowMs, IFileSystem? fileSystem = null)
    {
        fileSystem ??= DiskFileSystem.Instance;
        if ((config.RetentionMs < 0 && config.RetentionBytes < 0) || !Directory.Exists(directory))
        {
            // Nothing kept by time or size, or nothing written here yet.
            return false;
        }

        var segments = SegmentFileNames.ListBaseOffsets(fileSystem, directory);
        if (segments.Count == 0)
        {
            return false;
        }

        if (config.RetentionBytes >= 0)
        {
            var sizes = segments.Select(offset => new FileInfo(SegmentFileNames.LogFile(directory, offset)).Length).ToList();
            if (sizes.Count > 1 && sizes.Sum() - sizes[0] >= config.RetentionBytes)
            {
                return true;
            }
        }

        if (segments.Count == 1 && new FileInfo(SegmentFileNames.LogFile(directory, segments[0])).Length == 0)
        {
            // An empty log (never written, or everything already deleted): nothing to delete, nothing to roll.
            return false;
        }

        if (config.RetentionMs >= 0)
        {
            // The oldest segment goes first, and only once its newest record is past retention.ms (alone, it is rolled first).
            var oldest = TimeIndex.TryLoad(fileSystem, SegmentFileNames.TimeIndexFile(directory, segments[0]));
            return oldest is null || oldest.LastTimestamp < 0 || oldest.LastTimestamp < nowMs - config.RetentionMs;
        }

        return false;
    }
}
