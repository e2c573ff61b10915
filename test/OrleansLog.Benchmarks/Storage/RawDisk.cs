using System.Diagnostics;
using OrleansLog.Storage.IO;

namespace OrleansLog.Benchmarks.Storage;

/// <summary>
/// The physical limit a durable log append is judged against: sequential writes of one batch size to
/// a file in the same folder, each followed by fdatasync (durable) or not (lazy), through the same
/// file seam the log uses. Reading the file back gives the page-cache read baseline.
/// </summary>
internal static class RawDisk
{
    /// <summary>Writes <paramref name="totalBytes"/>; with <paramref name="latency"/>, records each write (and its fdatasync).</summary>
    public static (double Seconds, long Bytes) Write(string directory, int writeSize, long totalBytes, bool sync, Produce.LatencyRecorder? latency = null)
    {
        var path = Path.Combine(directory, $"raw-{writeSize}-{(sync ? "sync" : "lazy")}.bin");
        var buffer = new byte[writeSize];
        Random.Shared.NextBytes(buffer);
        using var file = DiskFileSystem.Instance.Open(path, create: true);
        file.SetLength(0);
        long position = 0;
        var watch = Stopwatch.StartNew();
        while (position < totalBytes)
        {
            var start = Stopwatch.GetTimestamp();
            file.Write(buffer, position);
            if (sync)
            {
                file.Flush();
            }

            latency?.Record(start);
            position += writeSize;
        }

        if (!sync)
        {
            file.Flush();
        }

        return (watch.Elapsed.TotalSeconds, position);
    }

    public static (double Seconds, long Bytes) Read(string directory, int writeSize, bool sync, int readSize)
    {
        var path = Path.Combine(directory, $"raw-{writeSize}-{(sync ? "sync" : "lazy")}.bin");
        var buffer = new byte[readSize];
        using var file = DiskFileSystem.Instance.Open(path, create: false);
        long position = 0;
        var watch = Stopwatch.StartNew();
        int read;
        while ((read = file.Read(buffer, position)) > 0)
        {
            position += read;
        }

        return (watch.Elapsed.TotalSeconds, position);
    }

    /// <summary>
    /// Writes a file of <paramref name="bytes"/> (not timed, left in the page cache as a freshly written log is), then
    /// times copying it to another file in 1 MiB reads and writes followed by one fdatasync: the disk's read plus write
    /// bandwidth, which a rewrite of a log (the cleaner's) is judged against.
    /// </summary>
    public static (double Seconds, long Bytes) Copy(string directory, long bytes)
    {
        const int Chunk = 1024 * 1024;
        Write(directory, Chunk, bytes, sync: false);
        var source = Path.Combine(directory, $"raw-{Chunk}-lazy.bin");
        var buffer = new byte[Chunk];
        using var from = DiskFileSystem.Instance.Open(source, create: false);
        using var to = DiskFileSystem.Instance.Open(Path.Combine(directory, "raw-copy.bin"), create: true);
        to.SetLength(0);
        long position = 0;
        var watch = Stopwatch.StartNew();
        int read;
        while ((read = from.Read(buffer, position)) > 0)
        {
            to.Write(buffer.AsSpan(0, read), position);
            position += read;
        }

        to.Flush();
        return (watch.Elapsed.TotalSeconds, position);
    }

    public static void Delete(string directory)
    {
        foreach (var file in Directory.GetFiles(directory, "raw-*.bin"))
        {
            File.Delete(file);
        }
    }
}
