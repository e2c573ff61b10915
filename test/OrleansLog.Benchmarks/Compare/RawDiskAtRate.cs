using System.Diagnostics;
using OrleansLog.Storage.IO;

namespace OrleansLog.Benchmarks.Compare;

/// <summary>
/// The raw disk doing what a log that fsyncs before it acknowledges must do at a fixed-rate workload:
/// one file per partition; messages of the workload's size arriving evenly spread at its rate (each
/// partition its share); per file one writer that, once its oldest unwritten message has waited the
/// clients' linger (5 ms, <c>linger.ms</c> of both OrleansLog's and Kafka's producers), writes everything
/// arrived so far in one write, runs fdatasync, and counts each message from its arrival to the end of
/// that fdatasync (a batch per linger and a group commit per file, as a producer and a broker make them,
/// with no network and no broker). Files share at most 64 threads, as the broker's flush threads do.
/// Its latency is what this disk, at that moment, leaves for a system that batches and fsyncs this way:
/// the reference a fixed-rate run's end-to-end p99 is compared with, measured in the same run.
/// <para>Each thread owns its files; nothing is shared but the histogram, which is thread-safe.</para>
/// </summary>
internal static class RawDiskAtRate
{
    private const int MaxThreads = 64;

    private static readonly long Linger = Stopwatch.Frequency * 5 / 1000;

    /// <summary>The most one write carries, as the broker's largest produce request does.</summary>
    private const int MaxWriteBytes = 1 << 20;

    public static LatencySummary? Measure(string directory, Workload workload, TimeSpan duration)
    {
        var files = workload.PartitionsPerTopic;
        var folder = Path.Combine(directory, "raw-at-rate");
        Directory.CreateDirectory(folder);
        var latency = new LatencyHistogram();
        var interval = Stopwatch.Frequency * files / (double)workload.ProducerRate;
        var start = Stopwatch.GetTimestamp();
        var end = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var threads = Enumerable.Range(0, Math.Min(files, MaxThreads))
            .Select(t => new Thread(() => Run([.. Enumerable.Range(0, files).Where(f => f % MaxThreads == t)], folder, workload.MessageSize, interval, files, start, end, latency)) { IsBackground = true })
            .ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        Directory.Delete(folder, recursive: true);
        return latency.Summarize();
    }

    /// <summary>Writes <paramref name="owned"/> files until <paramref name="end"/>, always the one whose oldest unwritten message arrived first.</summary>
    private static void Run(int[] owned, string folder, int messageSize, double interval, int files, long start, long end, LatencyHistogram latency)
    {
        var handles = owned.Select(f => DiskFileSystem.Instance.Open(Path.Combine(folder, $"{f}.log"), create: true)).ToArray();
        var written = new long[owned.Length];
        var buffer = new byte[MaxWriteBytes];
        Random.Shared.NextBytes(buffer);
        try
        {
            while (true)
            {
                // Message k of file f arrives at start + (f / files + k) * interval: partitions take turns.
                var next = 0;
                for (var i = 1; i < owned.Length; i++)
                {
                    if (Arrival(owned[i], written[i]) < Arrival(owned[next], written[next]))
                    {
                        next = i;
                    }
                }

                if (Arrival(owned[next], written[next]) >= end)
                {
                    return;
                }

                var due = Arrival(owned[next], written[next]) + Linger;

                var now = Stopwatch.GetTimestamp();
                if (due > now)
                {
                    Thread.Sleep(TimeSpan.FromSeconds((due - now) / (double)Stopwatch.Frequency));
                    continue;
                }

                // Everything of this file that has arrived by now, in one write (up to the request limit).
                var arrived = (long)((now - start) / interval - owned[next] / (double)files) + 1;
                var count = Math.Clamp(arrived - written[next], 1, MaxWriteBytes / messageSize);
                handles[next].Write(buffer.AsSpan(0, (int)count * messageSize), written[next] * messageSize);
                handles[next].Flush();
                for (var k = written[next]; k < written[next] + count; k++)
                {
                    latency.RecordSince(Arrival(owned[next], k));
                }

                written[next] += count;
            }
        }
        finally
        {
            foreach (var handle in handles)
            {
                handle.Dispose();
            }
        }

        long Arrival(int file, long message) => start + (long)((file / (double)files + message) * interval);
    }
}
