using System.Diagnostics;
using System.Globalization;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using OrleansLog.Benchmarks.Produce;

namespace OrleansLog.Benchmarks.Density;

/// <summary>
/// Issue 20's measure of partition density, as a user meets it: one embedded broker process (this build, the
/// file limit it inherits), or with <c>--brokers 3</c> a cluster of broker processes on PostgreSQL with every topic
/// at RF=3 (each broker then holds every partition: a leader or a follower replica); topics of <see cref="PartitionsPerTopic"/> partitions created through the Kafka admin
/// API in requests of 100 topics up to each target count, one 100-byte record produced to every partition, a
/// sample read back, the broker's resident memory and open files once it has been idle, the produce latency of
/// one hot partition while the rest sit idle, and a clean restart of each broker in turn (the longest time to
/// ready and, with replicas, to every partition in sync again before the next broker stops), then the time to the first fetch and to read every partition back.
/// The baseline for creation is the first request of the run: the figure that matters is how much slower the
/// last is.
/// </summary>
internal sealed class PartitionsBenchmark(string directory, bool quick, IReadOnlyList<int>? counts, TimeSpan idle, int brokerCount)
{
    public const int PartitionsPerTopic = 10;
    private const int TopicsPerRequest = 100;
    private const int SampleSize = 100;
    private const int TopicsPerProducer = 500;
    private const int HotRecords = 2_000;

    private IReadOnlyList<int> Counts => counts is { Count: > 0 } ? counts : quick ? [2_000, 5_000] : [10_000, 50_000, 100_000];

    public async Task<List<BenchmarkResult>> RunAsync()
    {
        Directory.CreateDirectory(directory);
        Console.WriteLine($"partitions benchmark in {directory}: {brokerCount} broker(s), RF={brokerCount}, {PartitionsPerTopic} partitions per topic, up to {Counts[^1]:N0} partitions; idle wait {idle.TotalSeconds:0} s; file limit {FileLimit()}");
        await using var broker = await DensityBrokers.StartAsync(directory, brokerCount);
        var replicas = (short)brokerCount;
        var results = new List<BenchmarkResult>();
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.KafkaBootstrap }).Build())
        {
            await admin.CreateTopicsAsync([new TopicSpecification { Name = "hot", NumPartitions = 1, ReplicationFactor = replicas }]);
        }

        var created = 0;
        double? firstRequest = null;
        foreach (var target in Counts)
        {
            var creation = await Create(broker, created / PartitionsPerTopic, target / PartitionsPerTopic, replicas);
            firstRequest ??= creation.First;
            results.Add(Report(new BenchmarkResult("partitions", $"{target:N0}: create {target - created:N0} partitions via the Kafka admin API", target - created, 0, creation.Seconds, "-", 0)
            {
                Figures = new Dictionary<string, double> { ["firstRequestSeconds"] = firstRequest.Value, ["lastRequestSeconds"] = creation.Last, ["lastToFirst"] = creation.Last / firstRequest.Value },
            }));
            var produce = ProduceEverywhere(broker, created / PartitionsPerTopic, target / PartitionsPerTopic);
            results.Add(Report(new BenchmarkResult("partitions", $"{target:N0}: one 100-byte record to each new partition", target - created, (long)(target - created) * 100, produce, "-", 0)));
            created = target;

            var read = ReadSample(broker, target / PartitionsPerTopic);
            results.Add(Report(new BenchmarkResult("partitions", $"{target:N0}: read a record back from {SampleSize} random partitions", read.Found, read.Found * 100, read.Seconds, "-", 0)));

            var hot = ProduceHot(broker);
            results.Add(Report(new BenchmarkResult("partitions", $"{target:N0}: hot partition, acks=all, one at a time, rest idle", HotRecords, HotRecords * 100L, hot.Seconds, "-", 0) { P50Ms = hot.P50, P99Ms = hot.P99 }));

            var busy = broker.Usage();
            await Task.Delay(idle);
            var quiet = broker.Usage();
            for (var b = 0; b < broker.Count; b++)
            {
                var name = broker.Count == 1 ? "broker" : $"broker {b}";
                results.Add(Report(new BenchmarkResult("partitions", $"{target:N0}: {name} resources, busy then after {idle.TotalSeconds:0} s idle", target, 0, 1, "-", 0)
                {
                    Figures = new Dictionary<string, double> { ["busyRssMb"] = busy[b].RssMb, ["busyOpenFiles"] = busy[b].Files, ["idleRssMb"] = quiet[b].RssMb, ["idleOpenFiles"] = quiet[b].Files },
                }));
            }
        }

        var (ready, inSync) = await broker.RestartAsync();
        var firstFetch = FirstFetch(broker, created / PartitionsPerTopic);
        var figures = new Dictionary<string, double> { ["readySeconds"] = ready, ["firstFetchSeconds"] = firstFetch };
        if (broker.Count > 1)
        {
            figures["inSyncSeconds"] = inSync;
        }

        results.Add(Report(new BenchmarkResult("partitions", $"{created:N0}: clean restart (each broker in turn), then the first fetch", 1, 0, ready + firstFetch, "-", 0) { Figures = figures }));
        var everything = ReadEverything(broker, created / PartitionsPerTopic);
        results.Add(Report(new BenchmarkResult("partitions", $"{created:N0}: every partition read back after the restart", everything.Found, everything.Found * 100, everything.Seconds, "-", 0)));
        var after = broker.Usage();
        for (var b = 0; b < broker.Count; b++)
        {
            var name = broker.Count == 1 ? "broker" : $"broker {b}";
            results.Add(Report(new BenchmarkResult("partitions", $"{created:N0}: {name} resources after reading every partition", created, 0, 1, "-", 0)
            {
                Figures = new Dictionary<string, double> { ["rssMb"] = after[b].RssMb, ["openFiles"] = after[b].Files },
            }));
        }

        return results;
    }

    private static BenchmarkResult Report(BenchmarkResult result)
    {
        var figures = result.Figures is { } f ? "  " + string.Join("  ", f.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key} {p.Value:0.##}"))) : "";
        var latency = result.P50Ms is { } p50 ? string.Create(CultureInfo.InvariantCulture, $"  p50 {p50:0.00} ms  p99 {result.P99Ms:0.00} ms") : "";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{result.Case,-66} {result.Seconds,8:0.00} s {result.RecordsPerSecond,10:N0} /s{latency}{figures}"));
        return result;
    }

    private static string TopicName(int topic) => $"t{topic:D6}";

    /// <summary>Creates topics [<paramref name="from"/>, <paramref name="to"/>) in requests of 100; returns the total and the first and last request's seconds.</summary>
    private static async Task<(double Seconds, double First, double Last)> Create(DensityBrokers broker, int from, int to, short replicas)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.KafkaBootstrap }).Build();
        var clock = Stopwatch.StartNew();
        double first = 0, last = 0;
        for (var start = from; start < to; start += TopicsPerRequest)
        {
            var specs = Enumerable.Range(start, Math.Min(TopicsPerRequest, to - start)).Select(t => new TopicSpecification { Name = TopicName(t), NumPartitions = PartitionsPerTopic, ReplicationFactor = replicas }).ToList();
            var request = Stopwatch.StartNew();
            await admin.CreateTopicsAsync(specs, new CreateTopicsOptions { RequestTimeout = TimeSpan.FromMinutes(2), OperationTimeout = TimeSpan.FromMinutes(2) });
            last = request.Elapsed.TotalSeconds;
            first = start == from ? last : first;
        }

        return (clock.Elapsed.TotalSeconds, first, last);
    }

    /// <summary>
    /// One record to every partition of topics [<paramref name="from"/>, <paramref name="to"/>), through one producer
    /// per <see cref="TopicsPerProducer"/> topics: librdkafka's threads walk every partition a producer knows on each
    /// turn, so a single producer over 100,000 partitions measured librdkafka (its threads busy, the broker at 30%
    /// CPU, records timing out in its queue), not the broker.
    /// </summary>
    private static double ProduceEverywhere(DensityBrokers broker, int from, int to)
    {
        var value = new byte[100];
        var failed = 0;
        var clock = Stopwatch.StartNew();
        for (var first = from; first < to; first += TopicsPerProducer)
        {
            using var producer = new ProducerBuilder<Null, byte[]>(new ProducerConfig { BootstrapServers = broker.KafkaBootstrap, Acks = Acks.All, LingerMs = 5, MessageTimeoutMs = 300_000 }).Build();
            for (var topic = first; topic < Math.Min(to, first + TopicsPerProducer); topic++)
            {
                for (var partition = 0; partition < PartitionsPerTopic; partition++)
                {
                    producer.Produce(new TopicPartition(TopicName(topic), partition), new Message<Null, byte[]> { Value = value }, report => { if (report.Error.IsError) { Interlocked.Increment(ref failed); } });
                }
            }

            producer.Flush(TimeSpan.FromMinutes(10));
        }

        return failed == 0 ? clock.Elapsed.TotalSeconds : throw new InvalidOperationException($"{failed} records were not acknowledged.");
    }

    /// <summary>Reads the record of every partition of topics [0, <paramref name="topics"/>), one consumer per <see cref="TopicsPerProducer"/> topics; throws when one does not answer.</summary>
    private static (long Found, double Seconds) ReadEverything(DensityBrokers broker, int topics)
    {
        var clock = Stopwatch.StartNew();
        long found = 0;
        for (var first = 0; first < topics; first += TopicsPerProducer)
        {
            var chunk = Enumerable.Range(first, Math.Min(TopicsPerProducer, topics - first))
                .SelectMany(t => Enumerable.Range(0, PartitionsPerTopic).Select(p => new TopicPartitionOffset(TopicName(t), p, Offset.Beginning))).ToList();
            using var consumer = new ConsumerBuilder<Ignore, byte[]>(new ConsumerConfig { BootstrapServers = broker.KafkaBootstrap, GroupId = "density-all", EnableAutoCommit = false }).Build();
            consumer.Assign(chunk);
            var seen = new HashSet<TopicPartition>();
            var started = clock.Elapsed;
            while (seen.Count < chunk.Count)
            {
                if (consumer.Consume(TimeSpan.FromMilliseconds(500)) is { } record)
                {
                    seen.Add(record.TopicPartition);
                }
                else if (clock.Elapsed - started > TimeSpan.FromMinutes(5))
                {
                    throw new InvalidOperationException($"Only {found + seen.Count} partitions returned their record: topics {first} to {first + TopicsPerProducer} stalled.");
                }
            }

            found += seen.Count;
        }

        return (found, clock.Elapsed.TotalSeconds);
    }

    private static (long Found, double Seconds) ReadSample(DensityBrokers broker, int topics)
    {
        var random = new Random(topics);
        var sample = Enumerable.Range(0, SampleSize).Select(_ => new TopicPartitionOffset(TopicName(random.Next(topics)), random.Next(PartitionsPerTopic), Offset.Beginning)).DistinctBy(p => p.TopicPartition).ToList();
        using var consumer = new ConsumerBuilder<Ignore, byte[]>(new ConsumerConfig { BootstrapServers = broker.KafkaBootstrap, GroupId = "density-sample", EnableAutoCommit = false }).Build();
        var clock = Stopwatch.StartNew();
        consumer.Assign(sample);
        var seen = new HashSet<TopicPartition>();
        while (seen.Count < sample.Count && clock.Elapsed < TimeSpan.FromMinutes(2))
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(500)) is { } record)
            {
                seen.Add(record.TopicPartition);
            }
        }

        return seen.Count == sample.Count ? (seen.Count, clock.Elapsed.TotalSeconds) : throw new InvalidOperationException($"Only {seen.Count} of {sample.Count} sampled partitions returned their record.");
    }

    private static (double Seconds, double P50, double P99) ProduceHot(DensityBrokers broker)
    {
        using var producer = new ProducerBuilder<Null, byte[]>(new ProducerConfig { BootstrapServers = broker.KafkaBootstrap, Acks = Acks.All, LingerMs = 0 }).Build();
        var value = new byte[100];
        producer.ProduceAsync("hot", new Message<Null, byte[]> { Value = value }).GetAwaiter().GetResult();
        var latencies = new LatencyRecorder(HotRecords);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < HotRecords; i++)
        {
            var started = Stopwatch.GetTimestamp();
            producer.ProduceAsync("hot", new Message<Null, byte[]> { Value = value }).GetAwaiter().GetResult();
            latencies.Record(started);
        }

        return (clock.Elapsed.TotalSeconds, latencies.PercentileMs(50), latencies.PercentileMs(99));
    }

    /// <summary>Seconds until a fetch of a random partition answers with its record (just after a restart).</summary>
    private static double FirstFetch(DensityBrokers broker, int topics)
    {
        var clock = Stopwatch.StartNew();
        using var consumer = new ConsumerBuilder<Ignore, byte[]>(new ConsumerConfig { BootstrapServers = broker.KafkaBootstrap, GroupId = "density-restart", EnableAutoCommit = false }).Build();
        consumer.Assign(new TopicPartitionOffset(TopicName(new Random(7).Next(topics)), 3, Offset.Beginning));
        while (consumer.Consume(TimeSpan.FromMilliseconds(500)) is null)
        {
            if (clock.Elapsed > TimeSpan.FromMinutes(2))
            {
                throw new TimeoutException("No record came back within 2 minutes of the restart.");
            }
        }

        return clock.Elapsed.TotalSeconds;
    }

    private static string FileLimit() =>
        File.ReadLines("/proc/self/limits").FirstOrDefault(l => l.StartsWith("Max open files", StringComparison.Ordinal)) is { } line
            ? string.Join(' ', line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries).Take(2))
            : "unknown";
}
