namespace OrleansLog.Storage.IO;

/// <summary>
/// The file operations the log needs, behind one small interface so recovery can be tested with
/// injected faults (torn writes, failed fsync) instead of luck. <see cref="DiskFileSystem"/> is the real one.
/// </summary>
public interface IFileSystem
{
    /// <summary>Opens for read and write, creating when <paramref name="create"/> is set.</summary>
    IStorageFile Open(string path, bool create);

    bool FileExists(string path);

    void DeleteFile(string path);

    /// <summary>Creates the directory (and its parents) if it is missing; true when it was created now. Not durable until its parent is flushed.</summary>
    bool CreateDirectory(string path);

    IReadOnlyList<string> ListFiles(string directory);

    /// <summary>Replaces <paramref name="destination"/> with <paramref name="source"/> atomically.</summary>
    void Rename(string source, string destination);

    /// <summary>Makes creations, renames and deletions in the directory durable.</summary>
    void FlushDirectory(string directory);

    /// <summary>Takes an exclusive lock on the directory for this process; released on dispose or death.</summary>
    IDisposable LockDirectory(string directory);
}
