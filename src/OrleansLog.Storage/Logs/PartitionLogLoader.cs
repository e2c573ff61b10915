using System.Collections.Immutable;
using OrleansLog.Records;
using OrleansLog.Storage.Checkpoints;
using OrleansLog.Storage.Epochs;
using OrleansLog.Storage.IO;
using OrleansLog.Storage.Segments;

namespace OrleansLog.Storage.Logs;

/// <summary>
/// Opens a partition directory and recovers it: leftovers of interrupted writes (temp files, indexes
/// whose log is gone) are removed; after an unclean shutdown the active segment is checked batch by batch
/// and a torn or corrupt tail cut off; a sealed segment with a bad tail takes every later segment with
/// it (they would leave a gap in the offsets); a missing or damaged index is rebuilt from its log file.
/// Stateless: it runs once, before the log is shared.
/// </summary>
internal static class PartitionLogLoader
{
    /// <summary>What a recovered directory holds.</summary>
    public sealed record Loaded(ImmutableArray<LogSegment> Segments, long LogStartOffset, long LogEndOffset, LeaderEpochCache Epochs, LogRecoveryInfo Recovery);

    /// <summary>Loads <paramref name="directory"/>; when it was <paramref name="created"/> just now, its entry in its parent is made durable too.</summary>
    public static Loaded Load(IFileSystem fileSystem, string directory, LogConfig config, TimeProvider time, bool created)
    {
        // A cleaner pass cut short by a crash is finished or forgotten before the segments are listed.
        Compaction.CleanerSwap.RecoverInterrupted(fileSystem, directory);
        var files = fileSystem.ListFiles(directory);
        var cleanShutdown = false;
        var bases = new List<long>();
        foreach (var file in files)
        {
            var name = Path.GetFileName(file);
            if (name.EndsWith(SegmentFileNames.TempSuffix, StringComparison.Ordinal))
            {
                fileSystem.DeleteFile(file);
            }
            else if (CleanShutdownMarker.IsMarker(name))
            {
                cleanShutdown = true;
            }
            else if (SegmentFileNames.TryParseBaseOffset(file, SegmentFileNames.LogSuffix, out var baseOffset))
            {
                bases.Add(baseOffset);
            }
        }

        bases.Sort();
        DeleteOrphanIndexes(fileSystem, files, bases);
        var checkpointedStart = LogStartCheckpoint.Read(fileSystem, directory);

        var segments = ImmutableArray.CreateBuilder<LogSegment>(bases.Count + 1);
        long truncatedBytes = 0;
        var rebuilt = 0;
        for (var i = 0; i < bases.Count; i++)
        {
            var isActive = i == bases.Count - 1;
            var segment = LogSegment.Open(fileSystem, directory, bases[i], config.IndexIntervalBytes, verify: isActive && !cleanShutdown, out var cut, out var indexRebuilt);
            segments.Add(segment);
            rebuilt += indexRebuilt ? 1 : 0;
            truncatedBytes += cut;
            if (cut > 0 && !isActive)
            {
                // A sealed segment with a bad tail: later segments would leave a gap in the offsets, so they go.
                for (var j = bases.Count - 1; j > i; j--)
                {
                    var orphan = LogSegment.Open(fileSystem, directory, bases[j], config.IndexIntervalBytes, verify: false, out _, out _);
                    truncatedBytes += orphan.Size;
                    orphan.Delete();
                }

                break;
            }
        }

        var fresh = segments.Count == 0;
        if (fresh)
        {
            segments.Add(LogSegment.Create(fileSystem, directory, checkpointedStart, config.IndexIntervalBytes));
        }

        var loaded = segments.ToImmutable();
        if (!loaded[^1].IsEmpty)
        {
            loaded[^1].RollClockStartMs = time.GetUtcNow().ToUnixTimeMilliseconds();
        }

        var logEndOffset = loaded[^1].NextOffset;
        var logStartOffset = Math.Min(Math.Max(checkpointedStart, loaded[0].BaseOffset), logEndOffset);

        // The cache is written before the batches of a new epoch, so after a crash it may name epochs the log lost.
        var epochs = LeaderEpochCache.Load(fileSystem, directory, () => EpochsOf(loaded));
        epochs.TruncateFromEnd(logEndOffset);

        // What survived the crash may still sit only in the page cache: flush once so the flushed offset is honest
        // (a segment created empty just now has nothing to flush).
        if (!fresh)
        {
            loaded[^1].Flush();
        }

        if (cleanShutdown)
        {
            CleanShutdownMarker.Delete(fileSystem, directory);
        }

        fileSystem.FlushDirectory(directory);
        if (created && Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(directory)) is { Length: > 0 } parent)
        {
            fileSystem.FlushDirectory(parent);
        }

        // A directory without a segment is a new log, not one that was shut down uncleanly.
        return new Loaded(loaded, logStartOffset, logEndOffset, epochs, new LogRecoveryInfo(!cleanShutdown && bases.Count > 0, truncatedBytes, rebuilt));
    }

    /// <summary>Each leader epoch's first offset, from the epochs stamped in the batches (a damaged checkpoint's rebuild).</summary>
    private static ImmutableArray<EpochEntry> EpochsOf(IEnumerable<LogSegment> segments)
    {
        var entries = ImmutableArray.CreateBuilder<EpochEntry>();
        foreach (var segment in segments)
        {
            foreach (var (baseOffset, epoch) in segment.BatchEpochs())
            {
                if (epoch >= 0 && (entries.Count == 0 || epoch > entries[^1].Epoch))
                {
                    entries.Add(new EpochEntry(epoch, baseOffset));
                }
            }
        }

        return entries.ToImmutable();
    }

    /// <summary>An index whose log is gone (a crash mid-delete) is garbage.</summary>
    private static void DeleteOrphanIndexes(IFileSystem fileSystem, IReadOnlyList<string> files, List<long> bases)
    {
        foreach (var file in files)
        {
            if ((SegmentFileNames.TryParseBaseOffset(file, SegmentFileNames.OffsetIndexSuffix, out var b) ||
                 SegmentFileNames.TryParseBaseOffset(file, SegmentFileNames.TimeIndexSuffix, out b)) && bases.BinarySearch(b) < 0)
            {
                fileSystem.DeleteFile(file);
            }
        }
    }
}
