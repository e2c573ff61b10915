using System.Buffers.Binary;
using OrleansLog.Kafka.Protocol;
using OrleansLog.Testing;

namespace OrleansLog.Kafka.Tests;

/// <summary>
/// The Kafka produce path: a hand-built Produce frame carrying each forged batch (its outer CRC right) is
/// answered with the batch's Kafka error, and the partition's log end does not move.
/// </summary>
public class ProduceValidationTests(KafkaBrokerFixture broker) : IClassFixture<KafkaBrokerFixture>
{
    private static readonly TimeSpan Answer = TimeSpan.FromSeconds(10);

    public static TheoryData<string> Cases => [.. ForgedBatches.Cases.Select(c => c.Name)];

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_forged_batch_is_refused_with_its_Kafka_error_and_nothing_is_appended(string name)
    {
        var topic = "kafka-forged-" + string.Concat(name.Where(char.IsLetter));
        await broker.Native.Admin.CreateTopicAsync(topic, 1);
        using var connection = await RawKafkaConnection.OpenAsync(broker.Silo.KafkaPort);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        Assert.Equal(0, await Produce(connection, topic, ForgedBatches.Valid(now), correlationId: 1));

        var error = await Produce(connection, topic, ForgedBatches.Of(name, now), correlationId: 2);

        Assert.Equal((short)ForgedBatches.Cases.Single(c => c.Name == name).Error, error);
        Assert.Equal(2, (await broker.Native.Admin.DescribeTopicAsync(topic)).Partitions[0].LogEndOffset);
    }

    /// <summary>Produce v7 with acks=all of one batch to partition 0; returns the partition's error code.</summary>
    private static async Task<short> Produce(RawKafkaConnection connection, string topic, byte[] batch, int correlationId)
    {
        await connection.SendAsync(RawKafkaConnection.Frame(ApiKey.Produce, 7, correlationId, w =>
        {
            w.WriteNullableString(null, flexible: false);
            w.WriteInt16((short)-1);
            w.WriteInt32(5000);
            w.WriteArrayLength(1, flexible: false);
            w.WriteString(topic, flexible: false);
            w.WriteArrayLength(1, flexible: false);
            w.WriteInt32(0);
            w.WriteBytes(batch, flexible: false);
        }));
        var response = await connection.ReceiveAsync(Answer) ?? throw new InvalidOperationException("no answer to the produce");

        // correlation id | topics [name | partitions [index | error ...]]
        var at = 4 + 4;
        at += 2 + BinaryPrimitives.ReadInt16BigEndian(response.AsSpan(at));
        at += 4 + 4;
        return BinaryPrimitives.ReadInt16BigEndian(response.AsSpan(at));
    }
}
