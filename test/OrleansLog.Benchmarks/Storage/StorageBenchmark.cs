using System.Diagnostics;
using OrleansLog.Records;
using OrleansLog.Storage;

namespace OrleansLog.Benchmarks.Storage;

/// <summary>
/// The storage engine against the raw disk, in one run: appends of 100-byte and 1 KiB records in 16 KiB
/// and 256 KiB batches, durable (fdatasync before acknowledging, group commit) and lazy, then reads
/// everything back. Each case is compared with raw sequential writes (and reads) of the same batch size
/// in the same folder.
/// </summary>
internal sealed class StorageBenchmark(string directory, bool quick)
{
    private static readonly int[] BatchSizes = [16 * 1024, 256 * 1024];
    private static readonly int[] RecordSizes = [100, 1024];
    private const int ReadSize = 1024 * 1024;

    public async Task<List<BenchmarkResult>> RunAsync()
    {
        var results = new List<BenchmarkResult>();
        Directory.CreateDirectory(directory);
        Console.WriteLine($"storage benchmark in {directory} ({(quick ? "quick" : "full")})");
        foreach (var batchSize in BatchSizes)
        {
            foreach (var durable in new[] { true, false })
            {
                var mode = durable ? "fsync" : "lazy";
                var rawName = $"raw {(durable ? "fdatasync" : "write")} {batchSize / 1024} KiB";
                var cases = RecordSizes.Select(size => (Name: $"{size} B records, {batchSize / 1024} KiB batches, {mode}", RecordSize: size, Writers: 1)).ToList();
                if (durable && batchSize == BatchSizes[0])
                {
                    // Four writers waiting on fsync at once: group commit lets them share flushes.
                    cases.Add(($"1024 B records, {batchSize / 1024} KiB batches, fsync, 4 writers", 1024, 4));
                }

                foreach (var (name, recordSize, writers) in cases)
                {
                    results.AddRange(await RunCase(name, rawName, batchSize, recordSize, durable, writers));
                }

                RawDisk.Delete(directory);
            }
        }

        return results;
    }

    /// <summary>
    /// Appends to a fresh log in rounds, each round preceded by the same volume of raw writes, so the
    /// baseline and the log see the same stretch of disk weather; then reads both back.
    /// </summary>
    private async Task<BenchmarkResult[]> RunCase(string name, string rawName, int batchSize, int recordSize, bool durable, int writers)
    {
        const int Rounds = 8;
        var batch = Batches.Build(recordSize, batchSize, out var recordsPerBatch);
        var logDirectory = Path.Combine(directory, "bench-log");
        var perRound = Volume(batchSize, durable) / Rounds;
        var appendsPerRound = (int)(perRound / batch.Length);
        double rawSeconds = 0, logSeconds = 0;
        long rawBytes = 0, logBytes = 0;
        try
        {
            using var log = PartitionLog.Open(logDirectory, new LogConfig { FlushMessages = durable ? 1 : long.MaxValue, RetentionMs = -1 });

            // One unmeasured round first, so both sides run tiered-up JIT code and warm file-system state.
            RawDisk.Write(directory, batchSize, (long)appendsPerRound * batch.Length, durable);
            await Append(log, batch, appendsPerRound, durable, writers);
            for (var round = 0; round < Rounds; round++)
            {
                var raw = RawDisk.Write(directory, batchSize, (long)appendsPerRound * batch.Length, durable);
                rawSeconds += raw.Seconds;
                rawBytes += raw.Bytes;
                var appended = await Append(log, batch, appendsPerRound, durable, writers);
                logSeconds += appended.Seconds;
                logBytes += appended.Bytes;
            }

            var rawMbps = rawBytes / rawSeconds / 1_000_000;
            RawDisk.Read(directory, batchSize, durable, ReadSize);
            var rawRead = RawDisk.Read(directory, batchSize, durable, ReadSize);
            var rawReadMbps = rawRead.Bytes / rawRead.Seconds / 1_000_000;
            ReadAll(log);
            var read = ReadAll(log);
            RawDisk.Delete(directory);
            return
            [
                Report(new BenchmarkResult("storage", $"{rawName} (baseline for the next line)", 0, rawBytes, rawSeconds, "-", 0)),
                Report(new BenchmarkResult("storage", $"append {name}", logBytes / batch.Length * recordsPerBatch, logBytes, logSeconds, rawName, rawMbps)),
                Report(new BenchmarkResult("storage", $"read {name}", read.Records, read.Bytes, read.Seconds, $"raw read {batchSize / 1024} KiB", rawReadMbps)),
            ];
        }
        finally
        {
            Directory.Delete(logDirectory, recursive: true);
        }
    }

    private long Volume(int batchSize, bool durable) => (quick, durable, batchSize) switch
    {
        (true, _, _) => 16L << 20,
        (false, true, < 65536) => 128L << 20,
        (false, true, _) => 512L << 20,
        (false, false, _) => 1024L << 20,
    };

    private static async Task<(double Seconds, long Bytes)> Append(PartitionLog log, byte[] batch, int appends, bool durable, int writers)
    {
        var watch = Stopwatch.StartNew();
        var perWriter = appends / writers;
        var tasks = new Task[writers];
        for (var w = 0; w < writers; w++)
        {
            tasks[w] = Task.Run(async () =>
            {
                for (var i = 0; i < perWriter; i++)
                {
                    if (durable)
                    {
                        await log.AppendAsync(batch);
                    }
                    else
                    {
                        log.Append(batch);
                    }
                }
            });
        }

        await Task.WhenAll(tasks);
        await log.FlushAsync();
        return (watch.Elapsed.TotalSeconds, (long)perWriter * writers * batch.Length);
    }

    private static (double Seconds, long Bytes, long Records) ReadAll(PartitionLog log)
    {
        var watch = Stopwatch.StartNew();
        long offset = log.LogStartOffset, bytes = 0;
        while (offset < log.LogEndOffset)
        {
            using var read = log.Read(offset, ReadSize);
            bytes += read.Length;
            offset = read.NextOffset;
        }

        return (watch.Elapsed.TotalSeconds, bytes, offset - log.LogStartOffset);
    }

    private static BenchmarkResult Report(BenchmarkResult result)
    {
        BenchmarkReport.PrintLine(result);
        return result;
    }
}
