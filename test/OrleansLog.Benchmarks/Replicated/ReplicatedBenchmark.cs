using System.Diagnostics;
using OrleansLog.Benchmarks.Produce;
using OrleansLog.Client;
using OrleansLog.Client.Producing;
using OrleansLog.Client.Serialization;
using OrleansLog.Partitions;

namespace OrleansLog.Benchmarks.Replicated;

/// <summary>
/// What replication costs: three brokers in this process, one producer at its maximum rate, 1 KiB
/// records on 8 partitions of a durable topic (fsync before acknowledging, on leaders and followers).
/// Cases: replication factor 1 (the baseline, same run), RF=3 with acks=1 (leader only), RF=3 with
/// acks=all (every in-sync replica). Publish latency is produce call to delivery report. At the maximum
/// rate that latency is mostly time queued in buffer.memory, so each case runs again at one fixed rate
/// (half of the slowest case's maximum), where latency shows what replication adds.
/// </summary>
internal sealed class ReplicatedBenchmark(string directory, bool quick)
{
    private const int RecordSize = 1024;
    private const int Partitions = 8;

    private TimeSpan Duration => quick ? TimeSpan.FromSeconds(2) : TimeSpan.FromSeconds(15);

    private TimeSpan WarmUp => quick ? TimeSpan.FromSeconds(0.5) : TimeSpan.FromSeconds(3);

    public async Task<List<BenchmarkResult>> RunAsync()
    {
        Directory.CreateDirectory(directory);
        Console.WriteLine($"replicated benchmark in {directory} ({(quick ? "quick" : "full")}): 3 brokers in one process, {RecordSize} B records, {Partitions} partitions, 1 producer at max rate");
        await using var cluster = await LocalCluster.StartAsync(directory, brokers: 3);
        var client = new OrleansLogClient(cluster.Grains);
        var results = new List<BenchmarkResult>();

        var slowest = double.MaxValue;
        foreach (var rate in new[] { 0, -1 })
        {
            var fixedRate = rate == 0 ? 0 : Math.Max(1000, (int)(slowest / 2));
            var phase = rate == 0 ? "max rate" : $"fixed {fixedRate:N0} rec/s";
            var single = await RunCase(client, $"rf1-{rate + 1}", replicationFactor: 1, Acks.All, fixedRate);
            var baselineName = $"RF=1 acks=all, {phase}";
            var baseline = single.Bytes / single.Seconds / 1_000_000;
            results.Add(Report(single with { Case = $"{phase}: RF=1 acks=all (baseline)", Baseline = "-", BaselineMegabytesPerSecond = 0 }));
            foreach (var acks in new[] { Acks.Leader, Acks.All })
            {
                var replicated = await RunCase(client, $"rf3-acks{acks}-{rate + 1}", replicationFactor: 3, acks, fixedRate);
                slowest = Math.Min(slowest, replicated.RecordsPerSecond);
                results.Add(Report(replicated with { Case = $"{phase}: {replicated.Case}", Baseline = baselineName, BaselineMegabytesPerSecond = baseline }));
            }
        }

        return results;
    }

    /// <summary>One producer for the warm-up plus the duration, as fast as it can (<paramref name="rate"/> 0) or paced; rates and latencies count the measured window.</summary>
    private async Task<BenchmarkResult> RunCase(OrleansLogClient client, string topic, short replicationFactor, short acks, int rate)
    {
        await client.Admin.CreateTopicAsync(topic, Partitions, replicationFactor);
        var latency = new LatencyRecorder((int)Math.Min(20_000_000, 300_000 * (Duration + WarmUp).TotalSeconds));
        var config = new ProducerConfig { ClientId = "bench", Acks = acks, EnableIdempotence = acks == Acks.All };
        long delivered = 0;
        long measuredFrom = 0;
        await using (var producer = client.NewProducer<Null?, byte[]>(config).SetKeySerializer(Serializers.Null).Build())
        {
            var value = new byte[RecordSize];
            var started = Stopwatch.GetTimestamp();
            await Task.Factory.StartNew(
                () =>
                {
                    long sent = 0;
                    while (Stopwatch.GetElapsedTime(started) is var elapsed && elapsed < WarmUp + Duration)
                    {
                        if (rate > 0 && sent >= elapsed.TotalSeconds * rate)
                        {
                            Thread.Sleep(1);
                            continue;
                        }

                        sent++;
                        if (measuredFrom == 0 && elapsed >= WarmUp)
                        {
                            Volatile.Write(ref measuredFrom, Stopwatch.GetTimestamp());
                            Interlocked.Exchange(ref delivered, 0);
                        }

                        var sentAt = Stopwatch.GetTimestamp();
                        producer.Produce(topic, new Message<Null?, byte[]> { Value = value }, report =>
                        {
                            if (report.Error == ErrorCode.None && sentAt >= Volatile.Read(ref measuredFrom) && measuredFrom != 0)
                            {
                                Interlocked.Increment(ref delivered);
                                latency.Record(sentAt);
                            }
                        });
                    }
                },
                TaskCreationOptions.LongRunning);
        }

        var seconds = Stopwatch.GetElapsedTime(measuredFrom).TotalSeconds;
        return new BenchmarkResult("replicated", $"RF={replicationFactor} acks={(acks == Acks.All ? "all" : acks.ToString(System.Globalization.CultureInfo.InvariantCulture))}", delivered, delivered * RecordSize, seconds, "-", 0)
        {
            P50Ms = latency.PercentileMs(50),
            P99Ms = latency.PercentileMs(99),
            P999Ms = latency.PercentileMs(99.9),
        };
    }

    private static BenchmarkResult Report(BenchmarkResult result)
    {
        BenchmarkReport.PrintLine(result);
        return result;
    }
}
