using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using OrleansLog.Benchmarks.Produce;
using OrleansLog.Benchmarks.Storage;
using OrleansLog.Metadata;
using OrleansLog.Partitions;
using OrleansLog.Records;
using OrleansLog.Server.Compaction;
using OrleansLog.Storage;
using OrleansLog.Storage.Compaction;

namespace OrleansLog.Benchmarks.Compaction;

/// <summary>
/// Log compaction, two ways, each over several rounds:
/// <list type="number">
/// <item>The cleaner's throughput: a log of keyed updates (each key written about ten times, 100-byte values, 16 KiB
/// batches) cleaned in one pass, in MB/s of dirty log, as a ratio to the raw disk copying the same number of bytes (read
/// a file and write another, then fdatasync) in the same folder just before.</item>
/// <item>What cleaning costs others: the produce latency of another topic on the same broker (16 KiB requests of 1 KiB
/// records at a fixed 200 per second, fsync before the answer) while the broker's cleaner cleans a compacted topic,
/// against the same measurement with the cleaner idle just before; then again with the cleaner's I/O limited to
/// <see cref="IoLimit"/> (<c>OrleansLog:Cleaner:IoMaxBytesPerSecond</c>).</item>
/// </list>
/// </summary>
internal sealed class CompactionBenchmark(string directory, bool quick)
{
    private const int ValueSize = 100;
    private const int BatchBytes = 16 * 1024;
    private const int RequestsPerSecond = 200;
    private const int MapBytes = 16 * 1024 * 1024;
    private const long IoLimit = 64_000_000;

    private int Rounds => quick ? 1 : 3;

    private long Volume => quick ? 32L << 20 : 256L << 20;

    public async Task<List<BenchmarkResult>> RunAsync()
    {
        Directory.CreateDirectory(directory);
        Console.WriteLine($"compaction benchmark in {directory} ({(quick ? "quick" : "full")}), {Rounds} round(s) of {Volume >> 20} MiB");
        var results = new List<BenchmarkResult>();
        for (var round = 1; round <= Rounds; round++)
        {
            results.AddRange(await CleanerThroughput(round));
        }

        results.AddRange(await LatencyWhileCleaning(ioLimit: null));
        results.AddRange(await LatencyWhileCleaning(IoLimit));
        return results;
    }

    private async Task<BenchmarkResult[]> CleanerThroughput(int round)
    {
        var logDirectory = Path.Combine(directory, $"cleaner-{round}");
        var keys = (int)(Volume / (ValueSize + 30) / 10);
        try
        {
            using var log = PartitionLog.Open(logDirectory, new LogConfig { Compact = true, RetentionMs = -1, FlushMessages = long.MaxValue, SegmentBytes = quick ? 8 << 20 : 64 << 20 });
            var random = new Random(round);
            var next = 0L;
            while (log.SizeInBytes < Volume)
            {
                log.Append(KeyedBatch(random, keys, ref next));
            }

            await log.FlushAsync();
            log.Roll();
            var dirty = log.SizeInBytes;
            var copy = RawDisk.Copy(directory, dirty);
            var watch = Stopwatch.StartNew();
            var cleaned = await log.CleanAsync(new OffsetMap(MapBytes), log.LogEndOffset);
            var seconds = watch.Elapsed.TotalSeconds;
            if (cleaned.Abandoned is not null || cleaned.CleanedTo < log.LogEndOffset)
            {
                throw new InvalidOperationException($"the pass did not clean the whole log: {cleaned.Abandoned ?? $"it stopped at {cleaned.CleanedTo} of {log.LogEndOffset}"}");
            }

            var copyMbps = copy.Bytes / copy.Seconds / 1_000_000;
            return
            [
                Report(new BenchmarkResult("compaction", $"round {round}: raw copy of {dirty >> 20} MiB, read + write + fdatasync (baseline for the next line)", 0, copy.Bytes, copy.Seconds, "-", 0)),
                Report(new BenchmarkResult("compaction", $"round {round}: clean {dirty >> 20} MiB of {keys} keys in one pass", next, dirty, seconds, "raw copy", copyMbps)
                {
                    Figures = new Dictionary<string, double> { ["kept MiB"] = log.SizeInBytes / 1048576.0, ["read MiB"] = cleaned.BytesRead / 1048576.0, ["segments in"] = cleaned.SegmentsReplaced, ["segments out"] = cleaned.SegmentsWritten },
                }),
            ];
        }
        finally
        {
            Directory.Delete(logDirectory, recursive: true);
            RawDisk.Delete(directory);
        }
    }

    private async Task<List<BenchmarkResult>> LatencyWhileCleaning(long? ioLimit)
    {
        var results = new List<BenchmarkResult>();
        var settings = new Dictionary<string, string?> { ["OrleansLog:Cleaner:Backoff"] = "01:00:00" };
        var limited = "";
        if (ioLimit is { } limit)
        {
            settings["OrleansLog:Cleaner:IoMaxBytesPerSecond"] = limit.ToString(CultureInfo.InvariantCulture);
            limited = $", cleaner I/O limited to {limit / 1_000_000} MB/s";
        }

        var brokerDirectory = Path.Combine(directory, "broker");
        if (Directory.Exists(brokerDirectory))
        {
            Directory.Delete(brokerDirectory, recursive: true);
        }

        await using var broker = await LocalBroker.StartAsync(brokerDirectory, Benchmarks.FreePort(), Benchmarks.FreePort(), settings: settings);
        var metadata = broker.Grains.GetGrain<IMetadataGrain>(IMetadataGrain.ClusterKey);
        var compactedConfig = ImmutableDictionary<string, string>.Empty
            .Add(TopicConfig.CleanupPolicyKey, "compact").Add(TopicConfig.SegmentBytesKey, (8 << 20).ToString(CultureInfo.InvariantCulture)).Add(TopicConfig.MinCleanableDirtyRatioKey, "0.01");
        await metadata.CreateTopic("compacted", 1, 1, compactedConfig);
        await metadata.CreateTopic("other", 1, 1, ImmutableDictionary<string, string>.Empty);
        var compacted = broker.Grains.GetPartitionGrain("compacted", 0);
        var other = broker.Grains.GetPartitionGrain("other", 0);
        var cleaner = broker.SiloServices.GetRequiredService<LogCleanerService>();
        var batch = Batches.Build(1024, BatchBytes, out var recordsPerRequest);
        var keys = (int)(Volume / (ValueSize + 30) / 10);
        var random = new Random(42);
        var next = 0L;
        await Paced(other, batch, TimeSpan.FromSeconds(2), null, new LatencyRecorder(RequestsPerSecond * 2));
        for (var round = 1; round <= Rounds; round++)
        {
            // Dirty data to clean: about ten updates of each key.
            long loaded = 0;
            while (loaded < Volume)
            {
                var keyed = KeyedBatch(random, keys, ref next);
                var answer = await compacted.Produce(new ProduceRequest(keyed));
                Check(answer.Error, answer.ErrorMessage);
                loaded += keyed.Length;
            }

            var window = TimeSpan.FromSeconds(quick ? 3 : 10);
            var idle = new LatencyRecorder(RequestsPerSecond * 60);
            var idleRun = await Paced(other, batch, window, null, idle);
            var baselineName = $"round {round}{limited}: produce to another topic, cleaner idle";
            results.Add(Report(new BenchmarkResult("compaction", baselineName + " (baseline for the next line)", idleRun.Requests * recordsPerRequest, idleRun.Bytes, idleRun.Seconds, "-", 0) { P50Ms = idle.PercentileMs(50), P99Ms = idle.PercentileMs(99) }));

            var busy = new LatencyRecorder(RequestsPerSecond * 600);
            var started = Stopwatch.StartNew();
            var cleaning = Task.Run(cleaner.RunOnce);
            var busyRun = await Paced(other, batch, TimeSpan.FromSeconds(1), cleaning, busy);
            var cleaned = (await cleaning).Single(c => c.Partition.Topic == "compacted").Result;
            var cleaningSeconds = started.Elapsed.TotalSeconds;
            results.Add(Report(new BenchmarkResult("compaction", $"round {round}{limited}: produce to another topic while the cleaner cleans {loaded >> 20} MiB", busyRun.Requests * recordsPerRequest, busyRun.Bytes, busyRun.Seconds, baselineName, idleRun.Bytes / idleRun.Seconds / 1_000_000)
            {
                P50Ms = busy.PercentileMs(50),
                P99Ms = busy.PercentileMs(99),
                Figures = new Dictionary<string, double>
                {
                    ["p99 ratio to idle"] = busy.PercentileMs(99) / idle.PercentileMs(99),
                    ["cleaning seconds"] = cleaningSeconds,
                    ["cleaned MB/s"] = cleaned.Section.DirtyBytes / cleaningSeconds / 1_000_000,
                },
            }));
        }

        return results;
    }

    /// <summary>Produces one request every 1/<see cref="RequestsPerSecond"/> s for <paramref name="minimum"/>, and on until <paramref name="until"/> completes.</summary>
    private static async Task<(long Requests, long Bytes, double Seconds)> Paced(IPartitionGrain partition, byte[] batch, TimeSpan minimum, Task? until, LatencyRecorder latency)
    {
        var interval = Stopwatch.Frequency / RequestsPerSecond;
        var start = Stopwatch.GetTimestamp();
        long requests = 0;
        while (Stopwatch.GetElapsedTime(start) < minimum || until is { IsCompleted: false })
        {
            var due = start + (requests * interval);
            while (Stopwatch.GetTimestamp() < due)
            {
                await Task.Delay(TimeSpan.FromTicks(Math.Max(1, (due - Stopwatch.GetTimestamp()) * TimeSpan.TicksPerSecond / Stopwatch.Frequency)));
            }

            // Latency from when the request was due, so a slow answer also counts the requests it held back.
            var answer = await partition.Produce(new ProduceRequest(batch));
            latency.Record(Math.Min(due, Stopwatch.GetTimestamp()));
            Check(answer.Error, answer.ErrorMessage);
            requests++;
        }

        return (requests, requests * batch.Length, Stopwatch.GetElapsedTime(start).TotalSeconds);
    }

    /// <summary>A 16 KiB batch of updates to random keys out of <paramref name="keys"/>.</summary>
    private static byte[] KeyedBatch(Random random, int keys, ref long next)
    {
        using var builder = new RecordBatchBuilder(CompressionType.None, BatchBytes);
        Span<byte> key = stackalloc byte[12];
        var value = new byte[ValueSize];
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        while (builder.UncompressedSizeInBytes + ValueSize + 40 <= BatchBytes)
        {
            "key-"u8.CopyTo(key);
            random.Next(keys).TryFormat(key[4..], out var written, "D8", CultureInfo.InvariantCulture);
            random.NextBytes(value);
            builder.Add(timestamp, key[..(4 + written)], hasKey: true, value, hasValue: true);
            next++;
        }

        return builder.Build().ToArray();
    }

    private static void Check(ErrorCode error, string? message)
    {
        if (error != ErrorCode.None)
        {
            throw new OrleansLogException(error, message ?? "produce failed");
        }
    }

    private static BenchmarkResult Report(BenchmarkResult result)
    {
        BenchmarkReport.PrintLine(result);
        return result;
    }
}
