using System.Diagnostics;
using OrleansLog.Benchmarks.Produce;
using OrleansLog.Client;
using OrleansLog.Client.Producing;
using OrleansLog.Client.Serialization;
using OrleansLog.Partitions;
using OrleansLog.Replication;

namespace OrleansLog.Benchmarks.Replicated;

/// <summary>
/// What replication costs: three brokers in this process, one producer at its maximum rate, 1 KiB
/// records on 8 partitions of a durable topic (fsync before acknowledging, on leaders and followers).
/// Cases: replication factor 1 (the baseline, same run), RF=3 with acks=all (every in-sync replica),
/// RF=3 with acks=1 (leader only); at the maximum rate in two rounds, the ratio taken over both. Publish
/// latency is produce call to delivery report; at the maximum rate it is mostly time queued in
/// buffer.memory, so each case runs again at one fixed rate (half of the slowest case's maximum), where
/// latency shows what replication adds. After each case the followers catch up before the next one
/// starts, so no case pays for another's replication backlog. All three brokers share this machine's one
/// disk, so RF=3 writes and fsyncs every byte three times on it.
/// </summary>
internal sealed class ReplicatedBenchmark(string directory, bool quick)
{
    private const int RecordSize = 1024;
    private const int Partitions = 8;

    private static readonly (short Factor, short Acks)[] Cases = [(1, Acks.All), (3, Acks.All), (3, Acks.Leader)];

    private int Rounds => quick ? 1 : 2;

    /// <summary>A silo's grain factory, for the followers' state (internal to the cluster).</summary>
    private IGrainFactory? _inside;

    private TimeSpan Duration => quick ? TimeSpan.FromSeconds(2) : TimeSpan.FromSeconds(10);

    private TimeSpan WarmUp => quick ? TimeSpan.FromSeconds(0.5) : TimeSpan.FromSeconds(3);

    public async Task<List<BenchmarkResult>> RunAsync()
    {
        Directory.CreateDirectory(directory);
        Console.WriteLine($"replicated benchmark in {directory} ({(quick ? "quick" : "full")}): 3 brokers in one process, {RecordSize} B records, {Partitions} partitions, 1 producer at max rate");
        await using var cluster = await LocalCluster.StartAsync(directory, brokers: 3);
        var client = new OrleansLogClient(cluster.Grains);
        _inside = cluster.Inside;
        var results = new List<BenchmarkResult>();

        // Maximum rate in rounds (RF=1, RF=3 acks=all, RF=3 acks=1, and again), so a noisy spell on this
        // shared machine does not land on one case alone; the ratio is over the rounds' totals.
        var totals = new Dictionary<string, (long Records, long Bytes, double Seconds)>();
        for (var round = 1; round <= Rounds; round++)
        {
            foreach (var (factor, acks) in Cases)
            {
                var result = await RunCase(client, $"max-{round}-rf{factor}-acks{acks}", factor, acks, rate: 0);
                var sum = totals.GetValueOrDefault(result.Case);
                totals[result.Case] = (sum.Records + result.Records, sum.Bytes + result.Bytes, sum.Seconds + result.Seconds);
                Report(result with { Case = $"max rate, round {round}: {result.Case}" });
            }
        }

        var baselineCase = Label(1, Acks.All);
        var baseline = totals[baselineCase].Bytes / totals[baselineCase].Seconds / 1_000_000;
        foreach (var (name, (records, bytes, seconds)) in totals)
        {
            results.Add(Report(name == baselineCase
                ? new BenchmarkResult("replicated", $"max rate, {Rounds} rounds: {name} (baseline)", records, bytes, seconds, "-", 0)
                : new BenchmarkResult("replicated", $"max rate, {Rounds} rounds: {name}", records, bytes, seconds, $"{baselineCase}, max rate", baseline)));
        }

        // Then one fixed rate, half of the slowest case's maximum: latency shows what replication adds.
        var fixedRate = Math.Max(1000, (int)(totals.Values.Min(t => t.Records / t.Seconds) / 2));
        BenchmarkResult? fixedBaseline = null;
        foreach (var (factor, acks) in Cases)
        {
            var result = await RunCase(client, $"fixed-rf{factor}-acks{acks}", factor, acks, fixedRate);
            fixedBaseline ??= result;
            results.Add(Report(ReferenceEquals(result, fixedBaseline)
                ? result with { Case = $"fixed {fixedRate:N0} rec/s: {result.Case} (baseline)" }
                : result with { Case = $"fixed {fixedRate:N0} rec/s: {result.Case}", Baseline = $"{baselineCase}, fixed rate", BaselineMegabytesPerSecond = fixedBaseline.MegabytesPerSecond }));
        }

        // Every topic was created for one case and nothing was killed: a leader epoch above 0 means a busy but
        // live broker lost its session (a false positive of failure detection, which max rate must never cause).
        var topics = await client.Admin.ListTopicsAsync();
        var moved = topics.SelectMany(t => t.Partitions).Count(p => p.LeaderEpoch > 0);
        Console.WriteLine($"leadership changes during the run: {moved} of {topics.Sum(t => t.PartitionCount)} partitions (a live broker fenced for missed heartbeats would show here)");
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

        // acks=1 lets followers fall behind: let them catch up, so the next case does not pay for this one's backlog.
        await WaitForFollowers(client, _inside!, topic);
        GC.Collect();
        return new BenchmarkResult("replicated", Label(replicationFactor, acks), delivered, delivered * RecordSize, seconds, "-", 0)
        {
            P50Ms = latency.PercentileMs(50),
            P99Ms = latency.PercentileMs(99),
            P999Ms = latency.PercentileMs(99.9),
        };
    }

    private static string Label(short replicationFactor, short acks) =>
        $"RF={replicationFactor} acks={(acks == Acks.All ? "all" : acks.ToString(System.Globalization.CultureInfo.InvariantCulture))}";

    private static async Task WaitForFollowers(OrleansLogClient client, IGrainFactory inside, string topic)
    {
        var description = await client.Admin.DescribeTopicAsync(topic);
        var deadline = Stopwatch.StartNew();
        foreach (var partition in description.Topic.Partitions)
        {
            var end = (await client.Grains.GetPartitionGrain(topic, partition.Partition).GetState()).LogEndOffset;
            foreach (var follower in partition.Followers)
            {
                var replica = inside.GetGrain<IFollowerGrain>(IFollowerGrain.Key(new TopicPartition(topic, partition.Partition), follower));
                while ((await replica.GetState()).LogEndOffset < end && deadline.Elapsed < TimeSpan.FromSeconds(60))
                {
                    await Task.Delay(50);
                }
            }
        }
    }

    private static BenchmarkResult Report(BenchmarkResult result)
    {
        BenchmarkReport.PrintLine(result);
        return result;
    }
}
