using OrleansLog.Storage.IO;
using OrleansLog.Storage.Segments;

namespace OrleansLog.Storage.Checkpoints;

/// <summary>
/// The empty file a clean close leaves behind, so the next open can trust the active segment's indexes
/// instead of scanning it batch by batch. Present only between a clean close and the next open. Stateless.
/// </summary>
internal static class CleanShutdownMarker
{
    public static bool IsMarker(string fileName) => fileName == SegmentFileNames.CleanShutdownMarker;

    /// <summary>
    /// Writes the marker once everything before it in <paramref name="directory"/> is durable: the directory is
    /// flushed first (the sealed indexes' renames), then the marker is created and the directory flushed again.
    /// Only its name counts, so it is created empty, without the temp file and rename of a checkpoint.
    /// </summary>
    public static void Write(IFileSystem fileSystem, string directory)
    {
        fileSystem.FlushDirectory(directory);
        fileSystem.Open(PathIn(directory), create: true).Dispose();
        fileSystem.FlushDirectory(directory);
    }

    public static void Delete(IFileSystem fileSystem, string directory) => fileSystem.DeleteFile(PathIn(directory));

    private static string PathIn(string directory) => Path.Combine(directory, SegmentFileNames.CleanShutdownMarker);
}
