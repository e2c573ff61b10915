using System.Buffers.Binary;
using System.Text;
using Confluent.Kafka;
using OrleansLog.Schemas;
using Native = OrleansLog.Client;

namespace OrleansLog.Kafka.Tests;

/// <summary>
/// <c>confluent.value.schema.validation=true</c> holds on the Kafka and native produce paths, not only in the
/// REST API: a value must carry Confluent's wire header naming a schema registered under "&lt;topic&gt;-value",
/// or the produce is INVALID_RECORD naming the record and nothing is appended.
/// </summary>
public class SchemaValidationTests(KafkaBrokerFixture broker) : IClassFixture<KafkaBrokerFixture>
{
    private const string Schema = """{"type":"object","properties":{"id":{"type":"integer"}}}""";

    private ISchemaRegistryGrain Registry => broker.Native.Grains.GetGrain<ISchemaRegistryGrain>(ISchemaRegistryGrain.ClusterKey);

    [Fact]
    public async Task A_Kafka_producer_is_refused_a_value_without_a_registered_schema_id()
    {
        const string topic = "validated-kafka";
        var id = await CreateValidatedTopic(topic);
        using var producer = new ProducerBuilder<Null, byte[]>(new ProducerConfig { BootstrapServers = broker.Bootstrap, MessageSendMaxRetries = 0 }).Build();

        var stored = await producer.ProduceAsync(topic, new Message<Null, byte[]> { Value = Framed(id, """{"id":1}""") });
        var unframed = await Assert.ThrowsAsync<ProduceException<Null, byte[]>>(() => producer.ProduceAsync(topic, new Message<Null, byte[]> { Value = Encoding.UTF8.GetBytes("""{"id":2}""") }));
        var unknown = await Assert.ThrowsAsync<ProduceException<Null, byte[]>>(() => producer.ProduceAsync(topic, new Message<Null, byte[]> { Value = Framed(id + 1000, """{"id":3}""") }));

        Assert.Equal(0, stored.Offset.Value);
        Assert.Equal(Confluent.Kafka.ErrorCode.InvalidRecord, unframed.Error.Code);
        Assert.Equal(Confluent.Kafka.ErrorCode.InvalidRecord, unknown.Error.Code);
        Assert.Equal(1, (await broker.Native.Admin.DescribeTopicAsync(topic)).Partitions[0].LogEndOffset);
    }

    [Fact]
    public async Task A_native_producer_is_refused_the_same_and_a_schema_registered_later_is_accepted_at_once()
    {
        const string topic = "validated-native";
        var id = await CreateValidatedTopic(topic);
        await using var producer = broker.Native.CreateProducer<string, byte[]>();

        var refused = await Assert.ThrowsAsync<Native.Producing.ProduceException<string, byte[]>>(() => producer.ProduceAsync(topic, new Native.Message<string, byte[]> { Value = Encoding.UTF8.GetBytes("{}") }));
        Assert.Equal(OrleansLog.ErrorCode.InvalidRecord, refused.Code);
        Assert.Contains($"\"{topic}-value\"", refused.Message);

        await producer.ProduceAsync(topic, new Native.Message<string, byte[]> { Value = Framed(id, """{"id":1}""") });
        var second = await Registry.Register($"{topic}-value", "JSON", """{"type":"object","properties":{"id":{"type":"integer"},"name":{"type":"string"}}}""");
        await producer.ProduceAsync(topic, new Native.Message<string, byte[]> { Value = Framed(second.Schema!.Id, """{"id":2,"name":"b"}""") });

        Assert.Equal(2, (await broker.Native.Admin.DescribeTopicAsync(topic)).Partitions[0].LogEndOffset);
    }

    private async Task<int> CreateValidatedTopic(string topic)
    {
        var registered = await Registry.Register($"{topic}-value", "JSON", Schema);
        Assert.False(registered.IsError, registered.Message);
        await broker.Native.Admin.CreateTopicAsync(topic, 1, configs: new Dictionary<string, string> { ["confluent.value.schema.validation"] = "true" });
        return registered.Schema!.Id;
    }

    private static byte[] Framed(int schemaId, string json)
    {
        var data = Encoding.UTF8.GetBytes(json);
        var framed = new byte[5 + data.Length];
        BinaryPrimitives.WriteInt32BigEndian(framed.AsSpan(1), schemaId);
        data.CopyTo(framed, 5);
        return framed;
    }
}
