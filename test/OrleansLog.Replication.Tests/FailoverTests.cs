using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Diagnostics;
using OrleansLog.Client;
using OrleansLog.Client.Consuming;
using OrleansLog.Client.Producing;
using OrleansLog.Metadata;
using OrleansLog.Partitions;
using OrleansLog.Testing;
using Xunit.Abstractions;

namespace OrleansLog.Replication.Tests;

[Collection(ReplicatedCluster.Name)]
public class FailoverTests(ReplicatedClusterFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task Killing_the_leader_loses_no_acknowledged_record_and_the_broker_rejoins_when_it_returns()
    {
        var topic = await fixture.CreateTopic("failover", partitions: 2, configs: ImmutableDictionary<string, string>.Empty.Add(TopicConfig.MinInsyncReplicasKey, "2"));

        // Broker 0 is the primary silo, which the TestCluster cannot lose: fail over a partition led elsewhere.
        var victim = topic.Partitions.First(p => p.Leader != 0);
        var partition = new TopicPartition("failover", victim.Partition);
        var client = new OrleansLogClient(fixture.Grains);
        await using var producer = client.CreateProducer<string, string>(new ProducerConfig { RequestTimeout = TimeSpan.FromSeconds(5), DeliveryTimeout = TimeSpan.FromSeconds(30), Linger = TimeSpan.FromMilliseconds(1) });
        var acknowledged = new ConcurrentDictionary<string, long>();
        var sent = 0;

        async Task ProduceUntil(Func<bool> done)
        {
            while (!done())
            {
                var batch = Enumerable.Range(0, 10).Select(_ => $"r{Interlocked.Increment(ref sent)}").ToList();
                var results = await Task.WhenAll(batch.Select(v => producer.ProduceAsync(partition, new Message<string, string> { Key = v, Value = v })));
                foreach (var result in results)
                {
                    Assert.True(acknowledged.TryAdd(result.Message.Value!, result.Offset), $"{result.Message.Value} acknowledged twice");
                }
            }
        }

        await ProduceUntil(() => acknowledged.Count >= 200);

        // A consumer group commits part of the way, before the failure.
        await using (var before = client.CreateConsumer<string, string>(GroupConfig()))
        {
            before.Subscribe("failover");
            var seen = 0;
            while (seen < 100)
            {
                if (before.Consume(TimeSpan.FromSeconds(5)) is { } record && record.Partition == victim.Partition)
                {
                    seen++;
                }
            }

            before.Commit([new TopicPartitionOffset("failover", victim.Partition, 100)]);
        }

        // Kill the leader's silo in the middle of the stream. Acknowledgements that arrive after the kill
        // has completed come from the new leader.
        var streaming = ProduceUntil(() => acknowledged.Count >= 600);
        await Wait.Until(() => acknowledged.Count >= 250, "the stream runs");
        var killed = Stopwatch.StartNew();
        await fixture.KillBroker(victim.Leader);
        var ackedAtKill = acknowledged.Count;
        await Wait.Until(() => acknowledged.Count > ackedAtKill, "an acks=all produce succeeds on the new leader", TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(5));
        var failover = killed.Elapsed;
        output.WriteLine($"failover: {failover.TotalMilliseconds:0} ms from kill to the first acks=all produce acknowledged by the new leader");
        Console.WriteLine($"[replication] failover {failover.TotalMilliseconds:0} ms from kill to the first acknowledged acks=all produce");
        await streaming;

        var after = await fixture.Leadership("failover", victim.Partition);
        Assert.NotEqual(victim.Leader, after.Leader);
        Assert.True(after.LeaderEpoch > victim.LeaderEpoch);
        Assert.DoesNotContain(victim.Leader, after.Isr);
        Assert.True(failover < TimeSpan.FromSeconds(10), $"failover took {failover}");

        // Every acknowledged record is there exactly once, at the offset it was acknowledged with, and offsets are dense.
        var log = await LogReader.ReadAll(client, partition.Topic, partition.Partition);
        Assert.Equal(Enumerable.Range(0, log.Count).Select(i => (long)i), log.Select(r => r.Offset));
        Assert.Equal(log.Count, log.Select(r => r.Value).Distinct().Count());
        var byValue = log.ToDictionary(r => r.Value, r => r.Offset);
        Assert.All(acknowledged, a => Assert.Equal(a.Value, byValue.GetValueOrDefault(a.Key, -1)));

        // The group continues from its committed offset.
        await using (var resumed = client.CreateConsumer<string, string>(GroupConfig()))
        {
            resumed.Subscribe("failover");
            var first = await NextOn(resumed, victim.Partition);
            Assert.Equal(100, first.Offset);
        }

        // The dead broker returns, catches up and rejoins the ISR; a preferred election hands leadership back.
        await fixture.RestartBroker(victim.Leader);
        await fixture.WaitInSync("failover", victim.Partition);
        Assert.Equal(log.Count, (await fixture.Follower("failover", victim.Partition, victim.Leader).GetState()).LogEndOffset);
        Assert.True(await fixture.Coordinator.ElectPreferredLeaders("failover") >= 1);
        var preferred = await fixture.Leadership("failover", victim.Partition);
        Assert.Equal(victim.Leader, preferred.Leader);
        var again = await producer.ProduceAsync(partition, new Message<string, string> { Key = "home", Value = "home" });
        Assert.Equal(log.Count, again.Offset);
    }

    private static ConsumerConfig GroupConfig() => new()
    {
        GroupId = "failover-group",
        AutoOffsetReset = AutoOffsetReset.Earliest,
        EnableAutoCommit = false,
        SessionTimeout = TimeSpan.FromSeconds(1),
        HeartbeatInterval = TimeSpan.FromMilliseconds(200),
    };

    private static async Task<ConsumeResult<string, string>> NextOn(Consumer<string, string> consumer, int partition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            if (consumer.Consume(TimeSpan.FromSeconds(1)) is { } record && record.Partition == partition)
            {
                return record;
            }
        }

        throw new TimeoutException($"Nothing consumed from partition {partition}.");
    }
}
