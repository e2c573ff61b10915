using System.Buffers.Binary;
using Confluent.Kafka;
using OrleansLog.Kafka.Protocol;
using OrleansLog.Testing;

namespace OrleansLog.Kafka.Tests;

/// <summary>
/// What real clients never send: versions and keys the listener does not serve, oversized frames, acks=0,
/// and a bounded fuzz of random and mutated frames. A bad frame closes its own connection only; the broker
/// stays up and serves real clients afterwards.
/// </summary>
public class MalformedRequestTests(KafkaBrokerFixture broker) : IClassFixture<KafkaBrokerFixture>
{
    private static readonly TimeSpan Answer = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task ApiVersions_of_an_unknown_version_is_answered_with_UNSUPPORTED_VERSION_in_the_v0_format()
    {
        using var connection = await RawKafkaConnection.OpenAsync(broker.Silo.KafkaPort);
        await connection.SendAsync(RawKafkaConnection.Frame(ApiKey.ApiVersions, 99, correlationId: 7));

        var response = await connection.ReceiveAsync(Answer);

        Assert.NotNull(response);
        Assert.Equal(7, BinaryPrimitives.ReadInt32BigEndian(response));
        Assert.Equal((short)OrleansLog.ErrorCode.UnsupportedVersion, BinaryPrimitives.ReadInt16BigEndian(response.AsSpan(4)));
        Assert.Equal(SupportedApis.All.Count, BinaryPrimitives.ReadInt32BigEndian(response.AsSpan(6)));
    }

    [Theory]
    [InlineData((short)57, 0)]
    [InlineData((short)ApiKey.Fetch, 3)]
    [InlineData((short)ApiKey.Metadata, 12)]
    public async Task A_request_outside_the_advertised_ranges_closes_its_connection_only(short apiKey, short version)
    {
        using var healthy = await RawKafkaConnection.OpenAsync(broker.Silo.KafkaPort);
        using var bad = await RawKafkaConnection.OpenAsync(broker.Silo.KafkaPort);

        await bad.SendAsync(RawKafkaConnection.Frame((ApiKey)apiKey, version, correlationId: 1));

        Assert.True(await bad.IsClosedByBrokerAsync(Answer));
        await AssertAnswersApiVersions(healthy);
    }

    [Theory]
    [InlineData(int.MaxValue)]
    [InlineData(-5)]
    [InlineData(3)]
    public async Task A_frame_size_outside_the_limits_closes_the_connection(int size)
    {
        using var bad = await RawKafkaConnection.OpenAsync(broker.Silo.KafkaPort);
        var prefix = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(prefix, size);

        await bad.SendAsync(prefix);

        Assert.True(await bad.IsClosedByBrokerAsync(Answer));
    }

    [Fact]
    public async Task A_truncated_body_closes_the_connection()
    {
        using var bad = await RawKafkaConnection.OpenAsync(broker.Silo.KafkaPort);

        // Metadata v4 claims 1,000 topics and carries none.
        await bad.SendAsync(RawKafkaConnection.Frame(ApiKey.Metadata, 4, 1, w => w.WriteInt32(1000)));

        Assert.True(await bad.IsClosedByBrokerAsync(Answer));
    }

    [Fact]
    public async Task A_produce_with_acks_0_is_not_answered_and_the_next_request_is()
    {
        await broker.Native.Admin.CreateTopicAsync("raw-acks0", 1);
        using var connection = await RawKafkaConnection.OpenAsync(broker.Silo.KafkaPort);
        var batch = Batches.Of("fire", "and", "forget");

        await connection.SendAsync(RawKafkaConnection.Frame(ApiKey.Produce, 7, correlationId: 1, w =>
        {
            w.WriteNullableString(null, flexible: false);
            w.WriteInt16((short)0);
            w.WriteInt32(5000);
            w.WriteArrayLength(1, flexible: false);
            w.WriteString("raw-acks0", flexible: false);
            w.WriteArrayLength(1, flexible: false);
            w.WriteInt32(0);
            w.WriteBytes(batch, flexible: false);
        }));
        await connection.SendAsync(RawKafkaConnection.Frame(ApiKey.ApiVersions, 0, correlationId: 2));

        var response = await connection.ReceiveAsync(Answer);
        Assert.Equal(2, BinaryPrimitives.ReadInt32BigEndian(response));
        await Wait.Until(async () => (await broker.Native.Admin.DescribeTopicAsync("raw-acks0")).Partitions[0].HighWatermark == 3, "the acks=0 records are stored", TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Random_and_mutated_frames_never_take_the_broker_down()
    {
        await broker.Native.Admin.CreateTopicAsync("raw-fuzz", 2);
        var seed = Environment.TickCount;
        var random = new Random(seed);
        var valid = ValidFrames();
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(4);
        var sent = 0;
        while (DateTime.UtcNow < until)
        {
            using var connection = await RawKafkaConnection.OpenAsync(broker.Silo.KafkaPort);
            await connection.SendAsync(random.Next(4) == 0 ? RandomBytes(random) : Mutate(valid[random.Next(valid.Count)], random));
            await connection.ReceiveAsync(TimeSpan.FromMilliseconds(50));
            sent++;
        }

        Assert.False(broker.Silo.HasExited, $"the broker exited during the fuzz (seed {seed}):\n{broker.Silo.Output}");
        using var after = await RawKafkaConnection.OpenAsync(broker.Silo.KafkaPort);
        await AssertAnswersApiVersions(after);

        // A real client still produces and reads back.
        using var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = broker.Bootstrap }).Build();
        var delivered = await producer.ProduceAsync(new TopicPartition("raw-fuzz", 0), new Message<Null, string> { Value = $"after {sent} fuzzed frames" });
        using var consumer = new ConsumerBuilder<Null, string>(new ConsumerConfig { BootstrapServers = broker.Bootstrap, GroupId = "raw-fuzz-reader" }).Build();
        consumer.Assign(delivered.TopicPartitionOffset);
        Assert.Equal($"after {sent} fuzzed frames", consumer.Consume(TimeSpan.FromSeconds(10)).Message.Value);
    }

    private static async Task AssertAnswersApiVersions(RawKafkaConnection connection)
    {
        await connection.SendAsync(RawKafkaConnection.Frame(ApiKey.ApiVersions, 0, correlationId: 42));
        var response = await connection.ReceiveAsync(Answer);
        Assert.NotNull(response);
        Assert.Equal(42, BinaryPrimitives.ReadInt32BigEndian(response));
        Assert.Equal(0, BinaryPrimitives.ReadInt16BigEndian(response.AsSpan(4)));
    }

    /// <summary>One well-formed request of each kind a client sends most, to mutate.</summary>
    private static List<byte[]> ValidFrames()
    {
        var batch = Batches.Of("a", "b");
        return
        [
            RawKafkaConnection.Frame(ApiKey.ApiVersions, 3, 1, w => { w.WriteString("fuzz", true); w.WriteString("1.0", true); w.WriteEmptyTaggedFields(true); }, flexible: true),
            RawKafkaConnection.Frame(ApiKey.Metadata, 4, 2, w => { w.WriteArrayLength(1, false); w.WriteString("raw-fuzz", false); w.WriteBool(false); }),
            RawKafkaConnection.Frame(ApiKey.Produce, 7, 3, w =>
            {
                w.WriteNullableString(null, false);
                w.WriteInt16(1);
                w.WriteInt32(1000);
                w.WriteArrayLength(1, false);
                w.WriteString("raw-fuzz", false);
                w.WriteArrayLength(1, false);
                w.WriteInt32(1);
                w.WriteBytes(batch, false);
            }),
            RawKafkaConnection.Frame(ApiKey.Fetch, 11, 4, w =>
            {
                w.WriteInt32(-1);
                w.WriteInt32(10);
                w.WriteInt32(1);
                w.WriteInt32(1 << 20);
                w.WriteInt8(0);
                w.WriteInt32(0);
                w.WriteInt32(-1);
                w.WriteArrayLength(1, false);
                w.WriteString("raw-fuzz", false);
                w.WriteArrayLength(1, false);
                w.WriteInt32(1);
                w.WriteInt32(-1);
                w.WriteInt64(0);
                w.WriteInt64(-1);
                w.WriteInt32(1 << 20);
                w.WriteArrayLength(0, false);
                w.WriteString("", false);
            }),
            RawKafkaConnection.Frame(ApiKey.JoinGroup, 5, 5, w =>
            {
                w.WriteString("raw-fuzz-group", false);
                w.WriteInt32(6000);
                w.WriteInt32(1000);
                w.WriteString("", false);
                w.WriteNullableString(null, false);
                w.WriteString("consumer", false);
                w.WriteArrayLength(1, false);
                w.WriteString("range", false);
                w.WriteBytes(new byte[] { 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff }, false);
            }),
        ];
    }

    private static byte[] RandomBytes(Random random)
    {
        var bytes = new byte[random.Next(1, 200)];
        random.NextBytes(bytes);
        return bytes;
    }

    /// <summary>Flips a few bytes (the size prefix included), or cuts the frame short, or both.</summary>
    private static byte[] Mutate(byte[] frame, Random random)
    {
        var mutated = frame.ToArray();
        for (var i = random.Next(1, 6); i > 0; i--)
        {
            mutated[random.Next(mutated.Length)] = (byte)random.Next(256);
        }

        return random.Next(3) == 0 ? mutated[..random.Next(1, mutated.Length)] : mutated;
    }
}
