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

    public static void Delete(string directory)
    {
        foreach (var file in Directory.GetFiles(directory, "raw-*.bin"))
        {
            File.Delete(file);
        }
    }
}
