using Confluent.Kafka;
using Confluent.Kafka.Admin;
using OrleansLog.Testing;
using KafkaErrorCode = Confluent.Kafka.ErrorCode;

namespace OrleansLog.Kafka.Tests;

/// <summary>Confluent.Kafka 2.16 (librdkafka) against a broker process: an idempotent producer, a consumer group that rebalances and resumes from its commits, and the admin client.</summary>
public class ConfluentKafkaTests(KafkaBrokerFixture broker) : IClassFixture<KafkaBrokerFixture>
{
    [Fact]
    public async Task An_idempotent_producer_writes_every_record_once_with_dense_offsets()
    {
        await broker.Native.Admin.CreateTopicAsync("cf-idempotent", 3);
        using var producer = new ProducerBuilder<string, string>(new ProducerConfig
        {
            BootstrapServers = broker.Bootstrap,
            EnableIdempotence = true,
            Acks = Acks.All,
            LingerMs = 5,
        }).Build();

        var results = await Task.WhenAll(Enumerable.Range(0, 3000).Select(i => producer.ProduceAsync("cf-idempotent", new Message<string, string> { Key = $"k{i % 31}", Value = $"v{i}" })));

        Assert.All(results, r => Assert.Equal(PersistenceStatus.Persisted, r.Status));
        foreach (var partition in results.GroupBy(r => r.Partition.Value))
        {
            Assert.Equal(Enumerable.Range(0, partition.Count()).Select(i => (long)i), partition.Select(r => r.Offset.Value).Order());
        }

        var details = await broker.Native.Admin.DescribeTopicAsync("cf-idempotent");
        Assert.Equal(3000, details.Partitions.Sum(p => p.HighWatermark));
    }

    [Fact]
    public async Task A_group_of_three_rebalances_when_one_leaves_and_a_newcomer_resumes_from_the_commits()
    {
        const string topic = "cf-group";
        await broker.Native.Admin.CreateTopicAsync(topic, 6);
        using var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = broker.Bootstrap, LingerMs = 5 }).Build();
        var members = Enumerable.Range(0, 3).Select(_ => new ConfluentGroupMember(broker.Bootstrap, "cf-readers", topic)).ToList();
        try
        {
            await Wait.Until(() => members.All(m => m.Assignment.Count == 2), "each of three members holds two of the six partitions", TimeSpan.FromSeconds(30));
            await Produce(producer, topic, "first", 300);
            await Wait.Until(() => members.Sum(m => m.Values.Count) >= 300, "the group read the first 300", TimeSpan.FromSeconds(30));

            await members[2].CloseAsync();
            await Wait.Until(() => members.Take(2).All(m => m.Assignment.Count == 3), "the two left hold three partitions each", TimeSpan.FromSeconds(30));
            await Produce(producer, topic, "second", 300);
            await Wait.Until(() => members.Take(2).Sum(m => m.Values.Count(v => v.StartsWith("second", StringComparison.Ordinal))) >= 300, "the two read the second 300", TimeSpan.FromSeconds(30));

            var read = members.SelectMany(m => m.Values).ToList();
            Assert.Equal(600, read.Distinct().Count());
            Assert.DoesNotContain(members[2].Values, v => v.StartsWith("second", StringComparison.Ordinal));
        }
        finally
        {
            foreach (var member in members)
            {
                await member.DisposeAsync();
            }
        }

        // Everyone committed what it read: a newcomer starts where they stopped.
        await using var newcomer = new ConfluentGroupMember(broker.Bootstrap, "cf-readers", topic);
        await Wait.Until(() => newcomer.Assignment.Count == 6, "the newcomer holds every partition", TimeSpan.FromSeconds(30));
        await Produce(producer, topic, "third", 20);

        // A marker behind them in every partition: once the newcomer has read all six, anything it would
        // have read again from before its group's commits is already in its list (partitions are read in order).
        await Task.WhenAll(Enumerable.Range(0, 6).Select(p => producer.ProduceAsync(new TopicPartition(topic, p), new Message<string, string> { Key = "end", Value = "end" })));
        await Wait.Until(() => newcomer.Values.Count(v => v == "end") == 6, "the newcomer read up to every partition's marker", TimeSpan.FromSeconds(30));
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"third-{i}").Order(StringComparer.Ordinal), newcomer.Values.Where(v => v != "end").Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task The_admin_client_creates_describes_grows_and_deletes_topics()
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.Bootstrap }).Build();
        await admin.CreateTopicsAsync([new TopicSpecification { Name = "cf-admin", NumPartitions = 2, ReplicationFactor = 1, Configs = new() { ["retention.ms"] = "3600000" } }]);
        Assert.Equal(2, admin.GetMetadata("cf-admin", TimeSpan.FromSeconds(10)).Topics.Single().Partitions.Count);

        var configs = await admin.DescribeConfigsAsync([new ConfigResource { Type = ResourceType.Topic, Name = "cf-admin" }]);
        var entries = configs.Single().Entries;
        Assert.Equal("3600000", entries["retention.ms"].Value);
        Assert.False(entries["retention.ms"].IsDefault);
        Assert.True(entries["segment.bytes"].IsDefault);

        await admin.CreatePartitionsAsync([new PartitionsSpecification { Topic = "cf-admin", IncreaseTo = 4 }]);
        Assert.Equal(4, (await broker.Native.Admin.DescribeTopicAsync("cf-admin")).Topic.PartitionCount);

        await admin.DeleteTopicsAsync(["cf-admin"]);
        Assert.DoesNotContain(admin.GetMetadata(TimeSpan.FromSeconds(10)).Topics, t => t.Topic == "cf-admin");
    }

    [Theory]
    [InlineData("cf-taken", 1, null, KafkaErrorCode.TopicAlreadyExists)]
    [InlineData("bad name!", 1, null, KafkaErrorCode.TopicException)]
    [InlineData("cf-no-partitions", 0, null, KafkaErrorCode.InvalidPartitions)]
    [InlineData("cf-bad-config", 1, "retention.ms=soon", KafkaErrorCode.InvalidConfig)]
    public async Task The_admin_client_gets_a_specific_error_for_each_invalid_topic(string name, int partitions, string? config, KafkaErrorCode expected)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.Bootstrap }).Build();
        if (expected == KafkaErrorCode.TopicAlreadyExists)
        {
            await admin.CreateTopicsAsync([new TopicSpecification { Name = name, NumPartitions = 1 }]);
        }

        var specification = new TopicSpecification { Name = name, NumPartitions = partitions, ReplicationFactor = 1 };
        if (config?.Split('=') is [var key, var value])
        {
            specification.Configs = new() { [key] = value };
        }

        var failure = await Assert.ThrowsAsync<CreateTopicsException>(() => admin.CreateTopicsAsync([specification]));
        Assert.Equal(expected, failure.Results.Single().Error.Code);
    }

    [Fact]
    public async Task The_admin_client_lists_and_describes_a_group_of_Kafka_clients()
    {
        await broker.Native.Admin.CreateTopicAsync("cf-described", 2);
        await using var member = new ConfluentGroupMember(broker.Bootstrap, "cf-described-group", "cf-described");
        await Wait.Until(() => member.Assignment.Count == 2, "the member holds both partitions", TimeSpan.FromSeconds(30));
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.Bootstrap }).Build();

        var listed = await admin.ListConsumerGroupsAsync();
        Assert.Contains(listed.Valid, g => g.GroupId == "cf-described-group");

        var described = (await admin.DescribeConsumerGroupsAsync(["cf-described-group"])).ConsumerGroupDescriptions.Single();
        Assert.Equal(ConsumerGroupState.Stable, described.State);
        Assert.Equal("range", described.PartitionAssignor);
        var only = Assert.Single(described.Members);
        Assert.Equal([0, 1], only.Assignment.TopicPartitions.Select(p => p.Partition.Value).Order());
    }

    /// <summary>Without authorization (the embedded default has no SASL listener), ACLs cannot be managed: Kafka's SECURITY_DISABLED.</summary>
    [Fact]
    public async Task The_admin_client_is_told_security_is_disabled_when_it_manages_acls_without_authorization()
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.Bootstrap }).Build();
        var binding = new AclBinding
        {
            Pattern = new ResourcePattern { Type = ResourceType.Topic, Name = "any", ResourcePatternType = ResourcePatternType.Literal },
            Entry = new AccessControlEntry { Principal = "User:alice", Host = "*", Operation = AclOperation.Read, PermissionType = AclPermissionType.Allow },
        };
        var refused = await Assert.ThrowsAsync<CreateAclsException>(() => admin.CreateAclsAsync([binding]));
        Assert.Equal(KafkaErrorCode.SecurityDisabled, refused.Results[0].Error.Code);
    }

    private static async Task Produce(IProducer<string, string> producer, string topic, string prefix, int count) =>
        await Task.WhenAll(Enumerable.Range(0, count).Select(i => producer.ProduceAsync(topic, new Message<string, string> { Key = $"k{i}", Value = $"{prefix}-{i}" })));
}
