using Confluent.Kafka;
using OrleansLog.Partitions;
using OrleansLog.Records;
using CompressionType = OrleansLog.Records.CompressionType;
using TimestampType = Confluent.Kafka.TimestampType;
using Native = OrleansLog.Client;

namespace OrleansLog.Kafka.Tests;

/// <summary>
/// A topic's <c>compression.type</c> and <c>message.timestamp.type</c> as Kafka clients see them: a gzip
/// producer's batches are stored, and fetched by kcat and the native consumer, as zstd; a LogAppendTime
/// topic answers the produce with the broker's time and hands it to every consumer instead of the producer's.
/// </summary>
public class TopicCodecAndTimestampTests(KafkaBrokerFixture broker) : IClassFixture<KafkaBrokerFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_gzip_producers_batches_are_read_back_as_zstd_by_kcat_and_the_native_consumer()
    {
        const string topic = "stored-as-zstd";
        await broker.Native.Admin.CreateTopicAsync(topic, 1, configs: new Dictionary<string, string> { ["compression.type"] = "zstd" });
        var lines = Enumerable.Range(0, 500).Select(i => $"k{i % 7}:value {i} " + new string('z', i % 50)).ToList();

        var produced = await Kcat.RunAsync(broker.Bootstrap, string.Join('\n', lines) + "\n", "-P", "-t", topic, "-K:", "-X", "compression.codec=gzip");
        Assert.True(produced.ExitCode == 0, produced.Stderr);

        var consumed = await Kcat.RunAsync(broker.Bootstrap, null, "-C", "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%k:%s\n");
        Assert.True(consumed.ExitCode == 0, consumed.Stderr);
        Assert.Equal(lines, consumed.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        var codecs = await StoredCodecs(topic, lines.Count);
        Assert.NotEmpty(codecs);
        Assert.All(codecs, codec => Assert.Equal(CompressionType.Zstd, codec));

        using var consumer = broker.Native.CreateConsumer<string, string>();
        consumer.Assign([new Native.TopicPartitionOffset(topic, 0, Native.Offsets.Beginning)]);
        var values = new List<string>();
        while (values.Count < lines.Count && consumer.Consume(Wait) is { } result)
        {
            values.Add($"{result.Message.Key}:{result.Message.Value}");
        }

        Assert.Equal(lines, values);
    }

    [Fact]
    public async Task A_log_append_time_topic_answers_and_serves_the_brokers_time_instead_of_the_producers()
    {
        const string topic = "log-append-time";
        await broker.Native.Admin.CreateTopicAsync(topic, 1, configs: new Dictionary<string, string> { ["message.timestamp.type"] = "LogAppendTime" });
        var farFuture = new DateTime(9000, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        using var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = broker.Bootstrap, CompressionType = Confluent.Kafka.CompressionType.Lz4 }).Build();
        var delivered = await producer.ProduceAsync(topic, new Message<string, string> { Key = "k", Value = "v", Timestamp = new Timestamp(farFuture) });
        var after = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        Assert.Equal(TimestampType.LogAppendTime, delivered.Timestamp.Type);
        Assert.InRange(delivered.Timestamp.UnixTimestampMs, before, after);

        using var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig { BootstrapServers = broker.Bootstrap, GroupId = "unused" }).Build();
        consumer.Assign(new TopicPartitionOffset(topic, 0, 0));
        var read = consumer.Consume(Wait);
        Assert.Equal((TimestampType.LogAppendTime, delivered.Timestamp.UnixTimestampMs), (read.Message.Timestamp.Type, read.Message.Timestamp.UnixTimestampMs));

        using var native = broker.Native.CreateConsumer<string, string>();
        native.Assign([new Native.TopicPartitionOffset(topic, 0, Native.Offsets.Beginning)]);
        Assert.Equal(delivered.Timestamp.UnixTimestampMs, native.Consume(Wait)!.Message.Timestamp);
    }

    /// <summary>The codec of every batch the leader serves for the partition's first <paramref name="records"/> records.</summary>
    private async Task<List<CompressionType>> StoredCodecs(string topic, int records)
    {
        var codecs = new List<CompressionType>();
        var offset = 0L;
        while (offset < records)
        {
            var fetched = await broker.Native.Grains.GetPartitionGrain(topic, 0).Fetch(new FetchRequest(offset, MaxWaitMs: 0));
            var batches = fetched.Records.Span;
            Assert.False(batches.IsEmpty);
            while (!batches.IsEmpty)
            {
                var header = RecordBatchHeader.Read(batches);
                codecs.Add(header.Compression);
                offset = header.NextOffset;
                batches = batches[header.SizeInBytes..];
            }
        }

        return codecs;
    }
}
