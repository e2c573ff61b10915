using OrleansLog.Records;
using OrleansLog.Storage.IO;
using OrleansLog.Storage.Segments;

namespace OrleansLog.Storage.Compaction;

/// <summary>
/// The cleaner's commit protocol for replacing a run of segments with their cleaned copy, and its recovery. The copy is
/// written as <c>&lt;base&gt;.log.cleaned</c> and flushed; renaming it to <c>&lt;base&gt;.log.swap</c> (and flushing
/// the directory) is the commit point; then the old segments' files are deleted and the swap file renamed to
/// <c>&lt;base&gt;.log</c>. A copy always ends with the last batch of the run it replaces (kept empty if need be), so the
/// swap file itself says which segments it replaces: those whose base offset lies in [base, its next offset). After a
/// crash at any step, <see cref="RecoverInterrupted"/> leaves either the old segments (no swap file yet) or the new one.
/// <para>Stateless; it runs before a log is opened, or under the log's exclusive file lock.</para>
/// </summary>
internal static class CleanerSwap
{
    /// <summary>Deletes copies the cleaner had not committed and completes the swaps it had; returns how many it completed.</summary>
    public static int RecoverInterrupted(IFileSystem fileSystem, string directory)
    {
        var files = fileSystem.ListFiles(directory);
        var changed = false;
        var completed = 0;
        foreach (var file in files)
        {
            if (file.EndsWith(SegmentFileNames.CleanedSuffix, StringComparison.Ordinal))
            {
                fileSystem.DeleteFile(file);
                changed = true;
            }
        }

        foreach (var file in files)
        {
            if (SegmentFileNames.TryParseBaseOffset(file, SegmentFileNames.SwapSuffix, out var baseOffset))
            {
                var nextOffset = NextOffsetOf(fileSystem, file, baseOffset);
                foreach (var other in files)
                {
                    if (SegmentFileNames.TryParseBaseOffset(other, SegmentFileNames.LogSuffix, out var replaced) && replaced >= baseOffset && replaced < nextOffset)
                    {
                        DeleteSegmentFiles(fileSystem, directory, replaced);
                    }
                }

                fileSystem.DeleteFile(SegmentFileNames.OffsetIndexFile(directory, baseOffset));
                fileSystem.DeleteFile(SegmentFileNames.TimeIndexFile(directory, baseOffset));
                fileSystem.Rename(file, SegmentFileNames.LogFile(directory, baseOffset));
                changed = true;
                completed++;
            }
        }

        if (changed)
        {
            fileSystem.FlushDirectory(directory);
        }

        return completed;
    }

    /// <summary>Commits <paramref name="cleanedPath"/> (flushed and closed) as the segment at <paramref name="baseOffset"/>: after this returns a crash keeps it.</summary>
    public static string Commit(IFileSystem fileSystem, string directory, long baseOffset, string cleanedPath)
    {
        var swap = SegmentFileNames.SwapFile(directory, baseOffset);
        fileSystem.Rename(cleanedPath, swap);
        fileSystem.FlushDirectory(directory);
        return swap;
    }

    /// <summary>After the replaced segments' files are deleted: the swap file takes the segment's name.</summary>
    public static void Complete(IFileSystem fileSystem, string directory, long baseOffset, string swapPath) =>
        fileSystem.Rename(swapPath, SegmentFileNames.LogFile(directory, baseOffset));

    private static void DeleteSegmentFiles(IFileSystem fileSystem, string directory, long baseOffset)
    {
        fileSystem.DeleteFile(SegmentFileNames.OffsetIndexFile(directory, baseOffset));
        fileSystem.DeleteFile(SegmentFileNames.TimeIndexFile(directory, baseOffset));
        fileSystem.DeleteFile(SegmentFileNames.LogFile(directory, baseOffset));
    }

    /// <summary>The offset after the last batch of a committed (so whole and flushed) swap file.</summary>
    private static long NextOffsetOf(IFileSystem fileSystem, string path, long baseOffset)
    {
        using var file = fileSystem.Open(path, create: false);
        var length = file.GetLength();
        Span<byte> header = stackalloc byte[RecordBatchLayout.HeaderSize];
        var next = baseOffset + 1;
        for (long position = 0; position + RecordBatchLayout.HeaderSize <= length;)
        {
            file.Read(header, position);
            var batch = RecordBatchHeader.Read(header);
            if (batch.SizeInBytes < RecordBatchLayout.HeaderSize)
            {
                break;
            }

            next = batch.NextOffset;
            position += batch.SizeInBytes;
        }

        return next;
    }
}
