using System.Text;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Native = OrleansLog.Client;

namespace OrleansLog.Kafka.Tests;

/// <summary>Kafka clients and native clients share topics, offsets and consumer groups: what one writes the other reads, and a group's commits carry over.</summary>
public class InteropTests(KafkaBrokerFixture broker) : IClassFixture<KafkaBrokerFixture>
{
    [Fact]
    public async Task A_record_from_Confluent_Kafka_reaches_a_native_consumer_and_a_native_record_reaches_Confluent_Kafka()
    {
        await broker.Native.Admin.CreateTopicAsync("interop", 1);
        using (var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = broker.Bootstrap }).Build())
        {
            var headers = new Confluent.Kafka.Headers { { "origin", Encoding.UTF8.GetBytes("kafka") } };
            await producer.ProduceAsync("interop", new Message<string, string> { Key = "from-kafka", Value = "hello native", Headers = headers });
        }

        await using (var native = broker.Native.CreateProducer<string, string>())
        {
            await native.ProduceAsync("interop", new Native.Message<string, string> { Key = "from-native", Value = "hello kafka" });
        }

        using (var consumer = broker.Native.CreateConsumer<string, string>())
        {
            consumer.Assign([new Native.TopicPartitionOffset("interop", 0, Native.Offsets.Beginning)]);
            var first = consumer.Consume(TimeSpan.FromSeconds(10))!;
            Assert.Equal(("from-kafka", "hello native"), (first.Message.Key, first.Message.Value));
            Assert.Equal("kafka", Encoding.UTF8.GetString(first.Message.Headers!.GetLastBytes("origin")!));
        }

        using var kafka = new ConsumerBuilder<string, string>(new ConsumerConfig { BootstrapServers = broker.Bootstrap, GroupId = "unused" }).Build();
        kafka.Assign(new TopicPartitionOffset("interop", 0, 1));
        var second = kafka.Consume(TimeSpan.FromSeconds(10));
        Assert.Equal(("from-native", "hello kafka"), (second.Message.Key, second.Message.Value));
        Assert.Equal(1, second.Offset.Value);
    }

    [Fact]
    public async Task A_native_consumer_resumes_from_the_offsets_a_Kafka_client_committed_and_back()
    {
        await broker.Native.Admin.CreateTopicAsync("interop-group", 1);
        await using (var native = broker.Native.CreateProducer<string, string>())
        {
            for (var i = 0; i < 10; i++)
            {
                await native.ProduceAsync("interop-group", new Native.Message<string, string> { Key = "k", Value = $"v{i}" });
            }
        }

        var partition = new TopicPartition("interop-group", 0);
        using (var kafka = new ConsumerBuilder<string, string>(new ConsumerConfig { BootstrapServers = broker.Bootstrap, GroupId = "shared", EnableAutoCommit = false }).Build())
        {
            kafka.Commit([new TopicPartitionOffset(partition, 5)]);
        }

        using (var consumer = broker.Native.CreateConsumer<string, string>(new OrleansLog.Client.Consuming.ConsumerConfig { GroupId = "shared", EnableAutoCommit = false, SessionTimeout = TimeSpan.FromSeconds(6) }))
        {
            consumer.Subscribe("interop-group");
            var first = consumer.Consume(TimeSpan.FromSeconds(20))!;
            Assert.Equal(("v5", 5L), (first.Message.Value, first.Offset));
            consumer.Commit([new Native.TopicPartitionOffset("interop-group", 0, 8)]);
        }

        using var again = new ConsumerBuilder<string, string>(new ConsumerConfig { BootstrapServers = broker.Bootstrap, GroupId = "shared" }).Build();
        Assert.Equal(8, again.Committed([partition], TimeSpan.FromSeconds(10)).Single().Offset.Value);
    }

    [Fact]
    public async Task Kafka_admin_tools_list_and_describe_a_group_of_native_consumers()
    {
        await broker.Native.Admin.CreateTopicAsync("interop-native-group", 2);
        using var consumer = broker.Native.CreateConsumer<string, string>(new OrleansLog.Client.Consuming.ConsumerConfig { GroupId = "native-readers", SessionTimeout = TimeSpan.FromSeconds(6) });
        consumer.Subscribe("interop-native-group");
        consumer.Consume(TimeSpan.FromSeconds(2));
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.Bootstrap }).Build();

        Assert.Contains((await admin.ListConsumerGroupsAsync()).Valid, g => g.GroupId == "native-readers");
        var described = (await admin.DescribeConsumerGroupsAsync(["native-readers"])).ConsumerGroupDescriptions.Single();
        var member = Assert.Single(described.Members);
        Assert.Equal([0, 1], member.Assignment.TopicPartitions.Select(p => p.Partition.Value).Order());
    }
}
