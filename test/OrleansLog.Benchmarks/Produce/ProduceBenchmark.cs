using System.Collections.Immutable;
using System.Diagnostics;
using OrleansLog.Benchmarks.Storage;
using OrleansLog.Metadata;
using OrleansLog.Partitions;
using OrleansLog.Records;
using OrleansLog.Storage;

namespace OrleansLog.Benchmarks.Produce;

/// <summary>
/// One producer through the Orleans client against a local single-silo broker: 100-byte and 1 KiB
/// records, 1 and 8 partitions, 16 KiB and 256 KiB batches, durable (fsync before the answer).
/// The producer keeps <see cref="InFlight"/> requests outstanding. Baselines from the same run: the
/// storage engine appending the same batches with the same concurrency to one log, and raw
/// fdatasync writes of the same size.
/// </summary>
internal sealed class ProduceBenchmark(string directory, bool quick)
{
    private const int InFlight = 8;
    private static readonly int[] BatchSizes = [16 * 1024, 256 * 1024];
    private static readonly int[] RecordSizes = [100, 1024];
    private static readonly int[] PartitionCounts = [1, 8];

    public async Task<List<BenchmarkResult>> RunAsync()
    {
        Directory.CreateDirectory(directory);
        Console.WriteLine($"produce benchmark in {directory} ({(quick ? "quick" : "full")}), {InFlight} requests in flight");
        var results = new List<BenchmarkResult>();
        await using var broker = await LocalBroker.StartAsync(Path.Combine(directory, "broker"), Benchmarks.FreePort(), Benchmarks.FreePort());
        var metadata = broker.Grains.GetGrain<IMetadataGrain>(IMetadataGrain.ClusterKey);
        foreach (var batchSize in BatchSizes)
        {
            var volume = quick ? 8L << 20 : batchSize < 65536 ? 64L << 20 : 256L << 20;
            var raw = RawDisk.Write(directory, batchSize, volume / 4, sync: true);
            RawDisk.Delete(directory);
            var rawName = $"raw fdatasync {batchSize / 1024} KiB";
            var rawMbps = raw.Bytes / raw.Seconds / 1_000_000;
            results.Add(Report(new BenchmarkResult("produce", $"{rawName} (baseline)", 0, raw.Bytes, raw.Seconds, "-", 0)));
            foreach (var recordSize in RecordSizes)
            {
                var batch = Batches.Build(recordSize, batchSize, out var recordsPerBatch);
                var requests = (int)(volume / batch.Length);
                var engine = await EngineAppend(batch, requests);
                var engineName = $"engine {recordSize} B, {batchSize / 1024} KiB";
                var engineMbps = engine.Bytes / engine.Seconds / 1_000_000;
                results.Add(Report(new BenchmarkResult("produce", $"engine append {recordSize} B records, {batchSize / 1024} KiB batches", (long)requests * recordsPerBatch, engine.Bytes, engine.Seconds, rawName, rawMbps)));
                foreach (var partitions in PartitionCounts)
                {
                    var topic = $"bench-{recordSize}-{batchSize}-{partitions}";
                    await metadata.CreateTopic(topic, partitions, 1, ImmutableDictionary<string, string>.Empty);
                    var grains = Enumerable.Range(0, partitions).Select(p => broker.Grains.GetPartitionGrain(topic, p)).ToArray();
                    await Produce(grains, batch, Math.Max(requests / 8, InFlight), new LatencyRecorder(requests));
                    var latency = new LatencyRecorder(requests);
                    var produced = await Produce(grains, batch, requests, latency);
                    var result = new BenchmarkResult("produce", $"produce {recordSize} B records, {batchSize / 1024} KiB batches, {partitions} partition(s)", (long)requests * recordsPerBatch, produced.Bytes, produced.Seconds, engineName, engineMbps)
                    {
                        P50Ms = latency.PercentileMs(50),
                        P99Ms = latency.PercentileMs(99),
                    };
                    results.Add(Report(result));
                    await metadata.DeleteTopic(topic);
                }
            }
        }

        return results;
    }

    private async Task<(double Seconds, long Bytes)> EngineAppend(byte[] batch, int requests)
    {
        var logDirectory = Path.Combine(directory, "engine-log");
        try
        {
            using var log = PartitionLog.Open(logDirectory, new LogConfig { RetentionMs = -1 });
            var next = -1;
            var watch = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, InFlight).Select(_ => Task.Run(async () =>
            {
                while (Interlocked.Increment(ref next) < requests)
                {
                    await log.AppendAsync(batch);
                }
            })));
            return (watch.Elapsed.TotalSeconds, (long)requests * batch.Length);
        }
        finally
        {
            Directory.Delete(logDirectory, recursive: true);
        }
    }

    private static async Task<(double Seconds, long Bytes)> Produce(IPartitionGrain[] partitions, byte[] batch, int requests, LatencyRecorder latency)
    {
        var next = -1;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, InFlight).Select(async _ =>
        {
            int n;
            while ((n = Interlocked.Increment(ref next)) < requests)
            {
                var start = Stopwatch.GetTimestamp();
                var response = await partitions[n % partitions.Length].Produce(new ProduceRequest(batch));
                latency.Record(start);
                if (response.Error != ErrorCode.None)
                {
                    throw new OrleansLogException(response.Error, response.ErrorMessage ?? "produce failed");
                }
            }
        }));
        return (watch.Elapsed.TotalSeconds, (long)requests * batch.Length);
    }

    private static BenchmarkResult Report(BenchmarkResult result)
    {
        BenchmarkReport.PrintLine(result);
        return result;
    }
}
