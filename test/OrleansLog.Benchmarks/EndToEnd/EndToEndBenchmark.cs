using System.Buffers.Binary;
using System.Diagnostics;
using OrleansLog.Benchmarks.Produce;
using OrleansLog.Benchmarks.Storage;
using OrleansLog.Client;
using OrleansLog.Client.Consuming;
using OrleansLog.Client.Producing;
using OrleansLog.Client.Serialization;

namespace OrleansLog.Benchmarks.EndToEnd;

/// <summary>
/// The client library end to end against a local broker (silo and client in this process, over the
/// gateway's loopback TCP; a broker in its own process measured worse on this 2-core machine): one producer (acks=all, idempotent, durable topic) and a consumer group of
/// two, 1 KiB records, 8 partitions. First the maximum rate (the producer as fast as buffer.memory lets
/// it); then a fixed rate of half that maximum, where each record carries its send time and consumers
/// measure end-to-end latency (produce call to consume return), and the producer's delivery reports
/// measure publish latency. The baseline is raw fdatasync writes of the producer's batch size, in the same run.
/// </summary>
internal sealed class EndToEndBenchmark(string directory, bool quick)
{
    private const int RecordSize = 1024;
    private const int Partitions = 8;
    private const int Consumers = 2;

    private TimeSpan Duration => quick ? TimeSpan.FromSeconds(2) : TimeSpan.FromSeconds(20);

    private TimeSpan WarmUp => quick ? TimeSpan.FromSeconds(0.5) : TimeSpan.FromSeconds(3);

    public async Task<List<BenchmarkResult>> RunAsync()
    {
        Directory.CreateDirectory(directory);
        Console.WriteLine($"e2e benchmark in {directory} ({(quick ? "quick" : "full")}): {RecordSize} B records, {Partitions} partitions, 1 producer, a group of {Consumers} consumers");
        var results = new List<BenchmarkResult>();
        var producerConfig = new ProducerConfig { ClientId = "bench" };

        // The disk's own latency tail shows in the same run: every end-to-end record waits for one fdatasync.
        var rawVolume = quick ? 8L << 20 : 256L << 20;
        var rawLatency = new LatencyRecorder((int)(rawVolume / producerConfig.BatchSize) + 1);
        var raw = RawDisk.Write(directory, producerConfig.BatchSize, rawVolume, sync: true, rawLatency);
        RawDisk.Delete(directory);
        var rawName = $"raw fdatasync {producerConfig.BatchSize / 1024} KiB";
        var rawMbps = raw.Bytes / raw.Seconds / 1_000_000;
        results.Add(Report(new BenchmarkResult("e2e", $"{rawName} (baseline, latency per write)", 0, raw.Bytes, raw.Seconds, "-", 0)
        {
            P50Ms = rawLatency.PercentileMs(50),
            P99Ms = rawLatency.PercentileMs(99),
            P999Ms = rawLatency.PercentileMs(99.9),
        }));

        await using var broker = await LocalBroker.StartAsync(Path.Combine(directory, "broker"), Benchmarks.FreePort(), Benchmarks.FreePort());
        var client = new OrleansLogClient(broker.Grains);

        await client.Admin.CreateTopicAsync("e2e-max", Partitions);
        var max = await RunPhase(client, "e2e-max", producerConfig, rate: 0);
        results.Add(Report(new BenchmarkResult("e2e", $"max rate: produce {RecordSize} B, {Partitions} partitions", max.Produced, max.Produced * RecordSize, max.ProduceSeconds, rawName, rawMbps)
        {
            P50Ms = max.Publish.PercentileMs(50),
            P99Ms = max.Publish.PercentileMs(99),
            P999Ms = max.Publish.PercentileMs(99.9),
        }));
        results.Add(Report(new BenchmarkResult("e2e", $"max rate: consume (group of {Consumers})", max.Consumed, max.Consumed * RecordSize, max.ConsumeSeconds, rawName, rawMbps)));

        var rate = Math.Max(1000, (int)(max.Produced / max.ProduceSeconds / 2));
        await client.Admin.CreateTopicAsync("e2e-fixed", Partitions);
        var fixedRate = await RunPhase(client, "e2e-fixed", producerConfig, rate);
        results.Add(Report(new BenchmarkResult("e2e", $"fixed {rate:N0} rec/s: produce (publish latency)", fixedRate.Produced, fixedRate.Produced * RecordSize, fixedRate.ProduceSeconds, rawName, rawMbps)
        {
            P50Ms = fixedRate.Publish.PercentileMs(50),
            P99Ms = fixedRate.Publish.PercentileMs(99),
            P999Ms = fixedRate.Publish.PercentileMs(99.9),
        }));
        results.Add(Report(new BenchmarkResult("e2e", $"fixed {rate:N0} rec/s: consume (end-to-end latency)", fixedRate.Consumed, fixedRate.Consumed * RecordSize, fixedRate.ConsumeSeconds, rawName, rawMbps)
        {
            P50Ms = fixedRate.EndToEnd.PercentileMs(50),
            P99Ms = fixedRate.EndToEnd.PercentileMs(99),
            P999Ms = fixedRate.EndToEnd.PercentileMs(99.9),
        }));
        return results;
    }

    /// <summary>
    /// Runs the producer for the warm-up plus the duration (as fast as it can when <paramref name="rate"/>
    /// is 0), with the group consuming throughout, then lets the consumers drain. Latencies count only
    /// records sent after the warm-up; rates count the measured window.
    /// </summary>
    private async Task<PhaseResult> RunPhase(OrleansLogClient client, string topic, ProducerConfig producerConfig, int rate)
    {
        var capacity = (int)Math.Min(50_000_000, (rate > 0 ? rate : 400_000) * (Duration + WarmUp).TotalSeconds * 1.2);
        var publish = new LatencyRecorder(capacity);
        var endToEnd = new LatencyRecorder(capacity);
        long measuredFrom = 0;
        long sentInWindow = 0;
        long consumedInWindow = 0;
        long totalSent = 0;
        long totalConsumed = 0;
        var stop = new CancellationTokenSource();
        var groupConfig = new ConsumerConfig
        {
            GroupId = $"{topic}-group",
            ClientId = "bench",
            AutoOffsetReset = AutoOffsetReset.Earliest,
            FetchMaxWait = TimeSpan.FromMilliseconds(100),
            SessionTimeout = TimeSpan.FromSeconds(10),
            HeartbeatInterval = TimeSpan.FromSeconds(1),
        };

        var consumers = Enumerable.Range(0, Consumers).Select(_ => Task.Factory.StartNew(
            () =>
            {
                using var consumer = client.NewConsumer<Null?, byte[]>(groupConfig).SetKeyDeserializer(Deserializers.Null).SetValueDeserializer(new SendTimeDeserializer()).Build();
                consumer.Subscribe(topic);
                while (!stop.IsCancellationRequested || Interlocked.Read(ref totalConsumed) < Interlocked.Read(ref totalSent))
                {
                    var record = consumer.Consume(TimeSpan.FromMilliseconds(100));
                    if (record is null)
                    {
                        continue;
                    }

                    Interlocked.Increment(ref totalConsumed);
                    var sentAt = BinaryPrimitives.ReadInt64LittleEndian(record.Message.Value);
                    if (sentAt >= Volatile.Read(ref measuredFrom) && measuredFrom != 0)
                    {
                        Interlocked.Increment(ref consumedInWindow);
                        endToEnd.Record(sentAt);
                    }
                }
            },
            TaskCreationOptions.LongRunning)).ToList();

        // Let the group assign its partitions before the clock starts.
        await Task.Delay(TimeSpan.FromSeconds(1));
        var gcBefore = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration());
        long windowStart = 0;
        await using (var producer = client.NewProducer<Null?, byte[]>(producerConfig).SetKeySerializer(Serializers.Null).Build())
        {
            await Task.Factory.StartNew(
                () =>
                {
                    var value = new byte[RecordSize];
                    var started = Stopwatch.GetTimestamp();
                    long sent = 0;
                    while (true)
                    {
                        var elapsed = Stopwatch.GetElapsedTime(started);
                        if (elapsed >= WarmUp && measuredFrom == 0)
                        {
                            windowStart = Stopwatch.GetTimestamp();
                            Volatile.Write(ref measuredFrom, windowStart);
                        }

                        if (elapsed >= WarmUp + Duration)
                        {
                            break;
                        }

                        if (rate > 0 && sent >= elapsed.TotalSeconds * rate)
                        {
                            Thread.Sleep(1);
                            continue;
                        }

                        var now = Stopwatch.GetTimestamp();
                        BinaryPrimitives.WriteInt64LittleEndian(value, now);
                        var inWindow = measuredFrom != 0;
                        producer.Produce(topic, new Message<Null?, byte[]> { Value = value }, report =>
                        {
                            if (inWindow && !report.IsError)
                            {
                                publish.Record(now);
                            }
                        });
                        Interlocked.Increment(ref totalSent);
                        sent++;
                        if (inWindow)
                        {
                            sentInWindow++;
                        }
                    }
                },
                TaskCreationOptions.LongRunning);
            await producer.FlushAsync();
        }

        var produceSeconds = Stopwatch.GetElapsedTime(windowStart).TotalSeconds;
        stop.Cancel();
        await Task.WhenAll(consumers);
        var consumeSeconds = Stopwatch.GetElapsedTime(windowStart).TotalSeconds;

        // GC in this one process (broker, producer and consumers share it) is the usual suspect for latency tails.
        Console.WriteLine($"  GC during the phase: gen0 {GC.CollectionCount(0) - gcBefore.Item1}, gen1 {GC.CollectionCount(1) - gcBefore.Item2}, gen2 {GC.CollectionCount(2) - gcBefore.Item3}, total pause {(GC.GetTotalPauseDuration() - gcBefore.Item4).TotalMilliseconds:0} ms");
        return new PhaseResult(sentInWindow, produceSeconds, Interlocked.Read(ref consumedInWindow), consumeSeconds, publish, endToEnd);
    }

    private static BenchmarkResult Report(BenchmarkResult result)
    {
        BenchmarkReport.PrintLine(result);
        return result;
    }

    private sealed record PhaseResult(long Produced, double ProduceSeconds, long Consumed, double ConsumeSeconds, LatencyRecorder Publish, LatencyRecorder EndToEnd);

    /// <summary>Reads only the send time the producer wrote into the first 8 bytes (no copy of the value).</summary>
    private sealed class SendTimeDeserializer : IDeserializer<byte[]>
    {
        public byte[] Deserialize(ReadOnlySpan<byte> data, bool isNull) => data[..8].ToArray();
    }
}
