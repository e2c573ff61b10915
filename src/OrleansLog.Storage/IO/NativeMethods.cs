using System.Runtime.InteropServices;

namespace OrleansLog.Storage.IO;

/// <summary>libc calls .NET does not expose: fdatasync (cheaper than fsync for appends) and directory fsync.</summary>
internal static partial class NativeMethods
{
    private const int ReadOnly = 0;

    [LibraryImport("libc", SetLastError = true)]
    internal static partial int fdatasync(int fd);

    [LibraryImport("libc", SetLastError = true)]
    internal static partial int fsync(int fd);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    internal static partial int Close(int fd);

    internal static void FsyncDirectory(string directory)
    {
        var fd = Open(directory, ReadOnly);
        if (fd < 0)
        {
            // The errno as the HResult, as .NET's own file APIs report unmapped errors (24 is EMFILE).
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException($"open({directory}) failed with errno {errno}{(errno == 24 ? " (Too many open files)" : "")}.", errno);
        }

        try
        {
            if (fsync(fd) != 0)
            {
                throw new IOException($"fsync({directory}) failed with errno {Marshal.GetLastPInvokeError()}.");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }
}
