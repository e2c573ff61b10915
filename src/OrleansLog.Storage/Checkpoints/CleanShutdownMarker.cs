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

    public static void Write(IFileSystem fileSystem, string directory) =>
        ChecksummedFile.WriteAtomic(fileSystem, PathIn(directory), LogStartCheckpoint.Magic, 1, []);

    public static void Delete(IFileSystem fileSystem, string directory) => fileSystem.DeleteFile(PathIn(directory));

    private static string PathIn(string directory) => Path.Combine(directory, SegmentFileNames.CleanShutdownMarker);
}
