using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using OrleansLog.Client;
using OrleansLog.Client.Consuming;
using OrleansLog.Client.Producing;
using OrleansLog.Metadata;
using OrleansLog.Partitions;
using OrleansLog.Testing;
using Xunit.Abstractions;

namespace OrleansLog.Replication.Tests;

/// <summary>
/// Producers (acks=all, idempotent) and a consumer group run while brokers 1 and 2 are killed, restarted
/// and stalled at random (at most one down at a time). Afterwards every acknowledged record is in the log
/// exactly once, at its acknowledged offset, in each producer's order, and nothing a consumer saw has vanished.
/// Failover is measured on each partition the killed broker led: under 10 s where the ISR at the kill keeps
/// min.insync.replicas=2 without it; where it does not (the other follower was restarted or stalled and has not
/// caught up), acks=all must wait for a replica to rejoin, as in Kafka, and the time is only reported.
/// Each producer writes to each partition in its own loop, so a partition that cannot acknowledge holds back
/// no other. Seeded: set ORLEANSLOG_FAULT_SEED to replay a failure.
/// </summary>
[Collection(ReplicatedCluster.Name)]
public class RandomizedFaultTests(ReplicatedClusterFixture fixture, ITestOutputHelper output)
{
    private const string Topic = "chaos";
    private const int Partitions = 4;
    private static readonly TimeSpan FaultPeriod = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Acknowledged_records_survive_random_kills_restarts_and_stalls_exactly_once_and_in_order()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("ORLEANSLOG_FAULT_SEED"), CultureInfo.InvariantCulture, out var fixedSeed) ? fixedSeed : Random.Shared.Next();
        output.WriteLine($"seed {seed}");
        try
        {
            await Run(new Random(seed));
        }
        catch (Exception e)
        {
            throw new Xunit.Sdk.XunitException($"Randomized fault test failed with seed {seed} (replay: ORLEANSLOG_FAULT_SEED={seed}): {e}");
        }
    }

    private async Task Run(Random random)
    {
        await fixture.CreateTopic(Topic, Partitions, configs: ImmutableDictionary<string, string>.Empty.Add(TopicConfig.MinInsyncReplicasKey, "2"));
        var client = new OrleansLogClient(fixture.Grains);
        var acknowledged = new ConcurrentDictionary<string, (int Partition, long Offset)>();
        var consumed = new ConcurrentDictionary<string, (int Partition, long Offset)>();
        using var stop = new CancellationTokenSource();

        var producers = Enumerable.Range(0, 2).Select(id => Task.Run(() => Produce(client, id, acknowledged, stop.Token))).ToList();
        const int MinInsync = 2;
        var consumers = Enumerable.Range(0, 2).Select(_ => Task.Run(() => Consume(client, consumed, stop.Token))).ToList();

        var actions = new List<string>();
        var failovers = new List<Task<(int Partition, TimeSpan Took, bool ExpectFast)>>();
        int? down = null;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < FaultPeriod)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(random.Next(500, 2000)));
            var broker = random.Next(1, 3);
            switch (random.Next(3))
            {
                case 0 when down is null:
                    var led = (await fixture.Coordinator.DescribeTopic(Topic)).Partitions.Where(p => p.Leader == broker).ToList();
                    var killedAt = Stopwatch.StartNew();
                    await fixture.KillBroker(broker);
                    down = broker;
                    actions.Add($"{clock.Elapsed.TotalSeconds:0.0}s kill {broker} (it led {string.Join(", ", led.Select(p => $"{p.Partition} with ISR [{string.Join(",", p.Isr)}]"))})");
                    foreach (var partition in led)
                    {
                        var before = acknowledged.Values.Where(a => a.Partition == partition.Partition).Select(a => a.Offset).DefaultIfEmpty(-1).Max();
                        var expectFast = partition.Isr.Count(b => b != broker) >= MinInsync;
                        failovers.Add(MeasureFailover(acknowledged, partition.Partition, before, killedAt, expectFast));
                    }

                    break;
                case 1 when down is { } dead:
                    await fixture.RestartBroker(dead);
                    down = null;
                    actions.Add($"{clock.Elapsed.TotalSeconds:0.0}s restart {dead}");
                    break;
                case 2 when down != broker:
                    fixture.Stall(broker);
                    actions.Add($"{clock.Elapsed.TotalSeconds:0.0}s stall {broker}");
                    await Task.Delay(TimeSpan.FromMilliseconds(random.Next(500, 3000)));
                    fixture.Unstall(broker);
                    break;
            }
        }

        if (down is { } stillDown)
        {
            await fixture.RestartBroker(stillDown);
            actions.Add($"end restart {stillDown}");
        }

        output.WriteLine(string.Join("; ", actions));
        foreach (var (partition, took, expectFast) in await Task.WhenAll(failovers))
        {
            // Time from the kill to the first acks=all produce acknowledged on a partition the killed broker led.
            var line = $"partition {partition}: failover {took.TotalMilliseconds:0} ms" + (expectFast ? "" : " (its ISR without the killed broker was below min.insync.replicas: it waited for a replica to rejoin)");
            output.WriteLine(line);
            Console.WriteLine($"[replication] {line}");
            Assert.True(!expectFast || took < TimeSpan.FromSeconds(10), line);
        }
        await stop.CancelAsync();
        await Task.WhenAll(producers);
        await Task.WhenAll(consumers);
        for (var p = 0; p < Partitions; p++)
        {
            await fixture.WaitInSync(Topic, p, TimeSpan.FromSeconds(60));
        }

        var total = 0;
        for (var p = 0; p < Partitions; p++)
        {
            var log = await LogReader.ReadAll(client, Topic, p);
            total += log.Count;
            Assert.Equal(Enumerable.Range(0, log.Count).Select(i => (long)i), log.Select(r => r.Offset));
            Assert.Equal(log.Count, log.Select(r => r.Value).Distinct().Count());
            var byValue = log.ToDictionary(r => r.Value, r => r.Offset);
            foreach (var (value, at) in acknowledged.Where(a => a.Value.Partition == p))
            {
                Assert.True(byValue.TryGetValue(value, out var offset), $"acknowledged {value} at {p}/{at.Offset} is missing");
                Assert.Equal(at.Offset, offset);
            }

            foreach (var (value, at) in consumed.Where(c => c.Value.Partition == p))
            {
                Assert.True(byValue.TryGetValue(value, out var offset) && offset == at.Offset, $"consumed {value} at {p}/{at.Offset} is not in the log there");
            }

            // Each producer's records appear in the order it sent them.
            foreach (var producer in log.GroupBy(r => r.Value.Split('-')[0]))
            {
                var sequence = producer.Select(r => int.Parse(r.Value.Split('-')[1], CultureInfo.InvariantCulture)).ToList();
                Assert.Equal(sequence.Order(), sequence);
            }
        }

        output.WriteLine($"{acknowledged.Count} acknowledged, {total} in the log, {consumed.Count} consumed");
        Assert.True(acknowledged.Count > 100, $"only {acknowledged.Count} records were acknowledged");
    }

    /// <summary>The time until <paramref name="partition"/>, led by the killed broker, acknowledged a record above <paramref name="before"/> (at most 30 s).</summary>
    private static async Task<(int Partition, TimeSpan Took, bool ExpectFast)> MeasureFailover(ConcurrentDictionary<string, (int Partition, long Offset)> acknowledged, int partition, long before, Stopwatch sinceKill, bool expectFast)
    {
        while (sinceKill.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (acknowledged.Values.Any(a => a.Partition == partition && a.Offset > before))
            {
                break;
            }

            await Task.Delay(5);
        }

        return (partition, sinceKill.Elapsed, expectFast);
    }

    /// <summary>One producer writing to every partition, each from its own loop of five records at a time ("p{id}.{partition}-{n}").</summary>
    private static async Task Produce(OrleansLogClient client, int id, ConcurrentDictionary<string, (int, long)> acknowledged, CancellationToken stop)
    {
        await using var producer = client.CreateProducer<string, string>(new ProducerConfig
        {
            RequestTimeout = TimeSpan.FromSeconds(3),
            DeliveryTimeout = TimeSpan.FromSeconds(60),
            Linger = TimeSpan.FromMilliseconds(2),
        });
        await Task.WhenAll(Enumerable.Range(0, Partitions).Select(async partition =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i += 5)
            {
                var sends = Enumerable.Range(i, 5).Select(n => $"p{id}.{partition}-{n}").Select(async value =>
                {
                    try
                    {
                        var result = await producer.ProduceAsync(new TopicPartition(Topic, partition), new Message<string, string> { Key = value, Value = value });
                        Assert.True(acknowledged.TryAdd(value, (result.Partition, result.Offset)), $"{value} acknowledged twice");
                    }
                    catch (ProduceException<string, string>)
                    {
                        // Not acknowledged: it may or may not be in the log, but never twice.
                    }
                });
                await Task.WhenAll(sends);
            }
        }));
    }

    private static async Task Consume(OrleansLogClient client, ConcurrentDictionary<string, (int, long)> consumed, CancellationToken stop)
    {
        await using var consumer = client.CreateConsumer<string, string>(new ConsumerConfig
        {
            GroupId = "chaos-group",
            AutoOffsetReset = AutoOffsetReset.Earliest,
            RequestTimeout = TimeSpan.FromSeconds(3),
            SessionTimeout = TimeSpan.FromSeconds(2),
            HeartbeatInterval = TimeSpan.FromMilliseconds(300),
            AutoCommitInterval = TimeSpan.FromMilliseconds(500),
        });
        consumer.Subscribe(Topic);
        while (!stop.IsCancellationRequested)
        {
            try
            {
                if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { } record)
                {
                    consumed[record.Message.Value!] = (record.Partition, record.Offset);
                }
            }
            catch (ConsumeException)
            {
                // A partition briefly without a leader surfaces here; the consumer goes on.
            }
        }
    }
}
