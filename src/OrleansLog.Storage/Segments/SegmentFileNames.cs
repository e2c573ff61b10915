using System.Globalization;
using OrleansLog.Storage.IO;

namespace OrleansLog.Storage.Segments;

/// <summary>File names of a partition directory: segments are named by their base offset in 20 digits, as in Kafka.</summary>
internal static class SegmentFileNames
{
    public const string LogSuffix = ".log";
    public const string OffsetIndexSuffix = ".index";
    public const string TimeIndexSuffix = ".timeindex";
    public const string TempSuffix = ".tmp";

    /// <summary>A segment the cleaner is still writing (<c>.log.cleaned</c>, and its indexes): garbage after a crash.</summary>
    public const string CleanedSuffix = ".cleaned";

    /// <summary>A cleaned segment that replaces the segments its offsets cover: a crash after it exists completes the swap.</summary>
    public const string SwapSuffix = ".log.swap";

    /// <summary>Where the cleaner stopped in a compacted log and when it cleaned what (see <c>CleanerCheckpoint</c>).</summary>
    public const string CleanerCheckpoint = "cleaner-checkpoint";

    /// <summary>Present only between a clean close and the next open: the active segment's indexes can then be trusted.</summary>
    public const string CleanShutdownMarker = ".clean-shutdown";

    public const string LogStartOffsetCheckpoint = "log-start-offset";

    /// <summary>The last high watermark the broker knew for the partition (Kafka's <c>replication-offset-checkpoint</c>, one per log).</summary>
    public const string HighWatermarkCheckpoint = "high-watermark";

    public static string LogFile(string directory, long baseOffset) => Path.Combine(directory, Name(baseOffset) + LogSuffix);

    public static string OffsetIndexFile(string directory, long baseOffset) => Path.Combine(directory, Name(baseOffset) + OffsetIndexSuffix);

    public static string TimeIndexFile(string directory, long baseOffset) => Path.Combine(directory, Name(baseOffset) + TimeIndexSuffix);

    public static string CleanedLogFile(string directory, long baseOffset) => LogFile(directory, baseOffset) + CleanedSuffix;

    public static string SwapFile(string directory, long baseOffset) => Path.Combine(directory, Name(baseOffset) + SwapSuffix);

    /// <summary>The base offsets of the segments in <paramref name="directory"/> (its <c>.log</c> files), in order.</summary>
    public static List<long> ListBaseOffsets(IFileSystem fileSystem, string directory) =>
        fileSystem.ListFiles(directory)
            .Select(path => TryParseBaseOffset(path, LogSuffix, out var offset) ? offset : -1)
            .Where(offset => offset >= 0)
            .Order()
            .ToList();

    public static bool TryParseBaseOffset(string path, string suffix, out long baseOffset)
    {
        var name = Path.GetFileName(path);
        baseOffset = -1;
        return name.Length == 20 + suffix.Length
            && name.EndsWith(suffix, StringComparison.Ordinal)
            && long.TryParse(name.AsSpan(0, 20), NumberStyles.None, CultureInfo.InvariantCulture, out baseOffset);
    }

    private static string Name(long baseOffset) => baseOffset.ToString("D20", CultureInfo.InvariantCulture);
}
