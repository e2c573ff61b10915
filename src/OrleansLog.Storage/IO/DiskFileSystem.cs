namespace OrleansLog.Storage.IO;

/// <summary>The real file system. Thread-safe.</summary>
public sealed class DiskFileSystem : IFileSystem
{
    public static DiskFileSystem Instance { get; } = new();

    public IStorageFile Open(string path, bool create)
    {
        var handle = File.OpenHandle(path, create ? FileMode.OpenOrCreate : FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        return new DiskFile(path, handle);
    }

    public bool FileExists(string path) => File.Exists(path);

    public void DeleteFile(string path) => File.Delete(path);

    public bool CreateDirectory(string path)
    {
        if (Directory.Exists(path))
        {
            return false;
        }

        Directory.CreateDirectory(path);
        return true;
    }

    public IReadOnlyList<string> ListFiles(string directory) => Directory.GetFiles(directory);

    public void Rename(string source, string destination) => File.Move(source, destination, overwrite: true);

    public void FlushDirectory(string directory)
    {
        if (OperatingSystem.IsLinux())
        {
            NativeMethods.FsyncDirectory(directory);
        }
    }

    public IDisposable LockDirectory(string directory)
    {
        // FileShare.None takes an advisory flock on Unix; the kernel drops it when the process dies.
        return new FileStream(Path.Combine(directory, ".lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
    }
}
