using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace OrleansLog.Storage.IO;

/// <summary>A file on the local disk through <see cref="RandomAccess"/> (pread/pwrite/pwritev); flush is fdatasync on Linux.</summary>
internal sealed class DiskFile(string path, SafeFileHandle handle) : IStorageFile
{
    public string Path { get; } = path;

    public int Read(Span<byte> destination, long position)
    {
        var total = 0;
        while (total < destination.Length)
        {
            var read = RandomAccess.Read(handle, destination[total..], position + total);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total;
    }

    public void Write(ReadOnlySpan<byte> source, long position) => RandomAccess.Write(handle, source, position);

    public void Write(IReadOnlyList<ReadOnlyMemory<byte>> buffers, long position) => RandomAccess.Write(handle, buffers, position);

    public void Flush()
    {
        if (OperatingSystem.IsLinux())
        {
            if (NativeMethods.fdatasync((int)handle.DangerousGetHandle()) != 0)
            {
                throw new IOException($"fdatasync({Path}) failed with errno {Marshal.GetLastPInvokeError()}.");
            }
        }
        else
        {
            RandomAccess.FlushToDisk(handle);
        }
    }

    public long GetLength() => RandomAccess.GetLength(handle);

    public void SetLength(long length) => RandomAccess.SetLength(handle, length);

    public void Dispose() => handle.Dispose();
}
