using System.Collections.Concurrent;
using Confluent.Kafka;
using OrleansLog.Metadata;
using OrleansLog.Partitions;
using OrleansLog.Testing;
using Xunit.Abstractions;

namespace OrleansLog.Cluster.Tests;

/// <summary>
/// Kafka clients (Confluent.Kafka) against three broker processes: Metadata sends them to each partition's
/// leader on its own broker, and an idempotent acks=all producer loses nothing acknowledged when a leader's
/// process is killed. Each test leaves every broker running.
/// </summary>
[Collection(PostgresCluster.Name)]
public class KafkaClusterTests(PostgresClusterFixture cluster, ITestOutputHelper output) : BrokersRunningFirst(cluster)
{
    private string Bootstrap => string.Join(',', Cluster.Brokers.Select(b => b.KafkaBootstrap));

    [Fact]
    public async Task Metadata_lists_every_broker_at_its_own_endpoint_and_each_partitions_leader_and_replicas()
    {
        var created = await Cluster.Client.Admin.CreateTopicAsync("kafka-spread", 3, 3);
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = Bootstrap }).Build();

        var metadata = admin.GetMetadata("kafka-spread", TimeSpan.FromSeconds(10));

        Assert.Equal(
            Cluster.Brokers.Select((b, id) => (id, b.KafkaPort)).Order(),
            metadata.Brokers.Select(b => (b.BrokerId, b.Port)).Order());
        Assert.All(metadata.Brokers, b => Assert.Equal("127.0.0.1", b.Host));
        var partitions = metadata.Topics.Single().Partitions.OrderBy(p => p.PartitionId).ToList();
        Assert.Equal(created.Partitions.Select(p => p.Leader), partitions.Select(p => p.Leader));
        Assert.All(partitions, p => Assert.Equal(3, p.Replicas.Length));
        Assert.Equal(3, partitions.Select(p => p.Leader).Distinct().Count());
    }

    [Fact]
    public async Task An_idempotent_Kafka_producer_loses_nothing_acknowledged_when_a_leaders_process_is_killed()
    {
        const string topic = "kafka-failover";
        var created = await Cluster.Client.Admin.CreateTopicAsync(topic, 3, 3, new Dictionary<string, string> { [TopicConfig.MinInsyncReplicasKey] = "2" });
        var victim = created.Partitions[0].Leader;
        var acknowledged = new ConcurrentDictionary<string, (int Partition, long Offset)>();
        using var producer = new ProducerBuilder<string, string>(new ProducerConfig
        {
            BootstrapServers = Bootstrap,
            EnableIdempotence = true,
            Acks = Confluent.Kafka.Acks.All,
            LingerMs = 2,
            MessageTimeoutMs = 90_000,
        }).Build();

        async Task Produce(int from, int count) =>
            await Task.WhenAll(Enumerable.Range(from, count).Select(async i =>
            {
                var result = await producer.ProduceAsync(topic, new Message<string, string> { Key = $"k{i}", Value = $"v{i}" });
                Assert.True(acknowledged.TryAdd(result.Message.Value, (result.Partition.Value, result.Offset.Value)), $"v{i} acknowledged twice");
            }));

        await Produce(0, 300);
        var streaming = Produce(300, 600);
        await Cluster.KillBroker(victim);
        output.WriteLine($"killed broker {victim}, the leader of {topic}-0");
        await streaming;
        await Cluster.RestartBroker(victim);
        await Cluster.WaitFullyInSync(topic);

        Assert.Equal(900, acknowledged.Count);
        for (var partition = 0; partition < 3; partition++)
        {
            // A new leader's high watermark catches up once its followers report; acknowledged records lie below it then.
            var end = acknowledged.Values.Where(a => a.Partition == partition).Max(a => a.Offset) + 1;
            var grain = Cluster.Grains.GetPartitionGrain(topic, partition);
            await Wait.Until(async () => (await grain.GetState()).HighWatermark >= end, $"{topic}-{partition}'s high watermark reaches {end}", TimeSpan.FromSeconds(30));
            var log = await LogReader.ReadAll(Cluster.Client, topic, partition);
            Assert.Equal(Enumerable.Range(0, log.Count).Select(i => (long)i), log.Select(r => r.Offset));
            var byValue = log.ToDictionary(r => r.Value, r => r.Offset);
            Assert.All(acknowledged.Where(a => a.Value.Partition == partition), a => Assert.Equal(a.Value.Offset, byValue.GetValueOrDefault(a.Key, -1)));
        }
    }
}
