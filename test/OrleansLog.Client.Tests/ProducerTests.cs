using System.Text;
using OrleansLog.Client.Consuming;
using OrleansLog.Client.Partitioning;
using OrleansLog.Client.Producing;
using OrleansLog.Client.Serialization;
using OrleansLog.Partitions;
using OrleansLog.Records;
using OrleansLog.Testing;

namespace OrleansLog.Client.Tests;

public class ProducerTests(ClientClusterFixture fixture) : IClassFixture<ClientClusterFixture>
{
    private OrleansLogClient Client => new(fixture.Grains);

    [Fact]
    public async Task ProduceAsync_returns_partition_offset_and_timestamp_and_keys_pick_murmur2_partitions()
    {
        await Client.Admin.CreateTopicAsync("keyed", 4);
        await using var producer = Client.CreateProducer<string, string>();
        var results = new List<DeliveryResult<string, string>>();
        for (var i = 0; i < 20; i++)
        {
            results.Add(await producer.ProduceAsync("keyed", new Message<string, string> { Key = $"key-{i}", Value = $"value-{i}", Timestamp = 1_000 + i }));
        }

        foreach (var result in results)
        {
            Assert.Equal(Murmur2Partitioner.Partition(Encoding.UTF8.GetBytes(result.Message.Key), 4), result.Partition);
            Assert.Equal(1_000 + int.Parse(result.Message.Key[4..], System.Globalization.CultureInfo.InvariantCulture), result.Timestamp);
        }

        foreach (var partition in results.GroupBy(r => r.Partition))
        {
            Assert.Equal(Enumerable.Range(0, partition.Count()).Select(i => (long)i), partition.Select(r => r.Offset));
        }
    }

    [Fact]
    public async Task Records_sent_in_order_keep_their_order_even_before_the_topic_metadata_is_known()
    {
        await Client.Admin.CreateTopicAsync("ordered", 1);
        await using var producer = Client.CreateProducer<Null?, string>();

        // Concurrent calls, the first ones made while the producer has no metadata for the topic yet.
        var results = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => producer.ProduceAsync("ordered", new Message<Null?, string> { Value = $"v{i}" })));

        Assert.Equal(Enumerable.Range(0, 200).Select(i => (long)i), results.Select(r => r.Offset));
    }

    [Fact]
    public async Task Produce_with_a_handler_reports_every_record_and_flush_waits_for_them()
    {
        await Client.Admin.CreateTopicAsync("handler", 2);
        await using var producer = Client.CreateProducer<Null?, string>(new ProducerConfig { Linger = TimeSpan.FromMilliseconds(50) });
        var reports = new System.Collections.Concurrent.ConcurrentBag<DeliveryReport<Null?, string>>();
        for (var i = 0; i < 500; i++)
        {
            producer.Produce("handler", new Message<Null?, string> { Value = $"v{i}" }, reports.Add);
        }

        await producer.FlushAsync();
        Assert.Equal(500, reports.Count);
        Assert.All(reports, r => Assert.False(r.IsError));
        Assert.Equal(500, reports.Select(r => (r.Partition, r.Offset)).Distinct().Count());
        Assert.Equal(0, producer.PendingRecords);
        Assert.Equal(0, producer.BufferedBytes);
    }

    [Fact]
    public async Task Every_codec_round_trips_with_headers_null_keys_and_tombstones()
    {
        await Client.Admin.CreateTopicAsync("codecs", 1);
        foreach (var codec in Enum.GetValues<CompressionType>())
        {
            await using var producer = Client.CreateProducer<string?, string?>(new ProducerConfig { Compression = codec });
            var headers = new Headers { { "codec", Encoding.UTF8.GetBytes(codec.ToString()) }, { "empty", null } };
            await producer.ProduceAsync(new TopicPartition("codecs", 0), new Message<string?, string?> { Key = null, Value = $"{codec}", Headers = headers });
            await producer.ProduceAsync(new TopicPartition("codecs", 0), new Message<string?, string?> { Key = "k", Value = null });
        }

        using var consumer = Client.CreateConsumer<string?, string?>();
        consumer.Assign([new TopicPartitionOffset("codecs", 0, Offsets.Beginning)]);
        foreach (var codec in Enum.GetValues<CompressionType>())
        {
            var record = consumer.Consume(TimeSpan.FromSeconds(10))!;
            Assert.Null(record.Message.Key);
            Assert.Equal($"{codec}", record.Message.Value);
            Assert.Equal(codec.ToString(), Encoding.UTF8.GetString(record.Message.Headers!.GetLastBytes("codec")!));
            Assert.Null(record.Message.Headers!.GetLastBytes("empty"));
            var tombstone = consumer.Consume(TimeSpan.FromSeconds(10))!;
            Assert.Equal("k", tombstone.Message.Key);
            Assert.Null(tombstone.Message.Value);
        }
    }

    [Fact]
    public async Task Json_values_round_trip()
    {
        await Client.Admin.CreateTopicAsync("json", 1);
        await using var producer = Client.NewProducer<string, Order>().SetValueSerializer(new JsonSerializer<Order>()).Build();
        await producer.ProduceAsync("json", new Message<string, Order> { Key = "o1", Value = new Order("o1", 3, 9.5m) });

        using var consumer = Client.NewConsumer<string, Order?>().SetValueDeserializer(new JsonDeserializer<Order>()).Build();
        consumer.Assign([new TopicPartitionOffset("json", 0, 0)]);
        Assert.Equal(new Order("o1", 3, 9.5m), consumer.Consume(TimeSpan.FromSeconds(10))!.Message.Value);
    }

    [Fact]
    public async Task Retries_after_lost_acknowledgements_never_duplicate_or_reorder_records()
    {
        await Client.Admin.CreateTopicAsync("flaky-orders", 1);
        var lostBefore = fixture.Faults.LostAcknowledgements;
        await using (var producer = Client.CreateProducer<Null?, string>(new ProducerConfig { Linger = TimeSpan.Zero, RetryBackoff = TimeSpan.FromMilliseconds(10) }))
        {
            for (var i = 0; i < 60; i++)
            {
                await producer.ProduceAsync("flaky-orders", new Message<Null?, string> { Value = $"{i}" });
            }
        }

        Assert.True(fixture.Faults.LostAcknowledgements > lostBefore, "the fault never fired");
        using var consumer = Client.CreateConsumer<Null?, string>();
        consumer.Assign([new TopicPartitionOffset("flaky-orders", 0, 0)]);
        var values = new List<string>();
        for (var i = 0; i < 60; i++)
        {
            values.Add(consumer.Consume(TimeSpan.FromSeconds(10))!.Message.Value);
        }

        Assert.Equal(Enumerable.Range(0, 60).Select(i => $"{i}"), values);
        Assert.Equal(60, (await Client.Admin.DescribeTopicAsync("flaky-orders")).Partitions[0].LogEndOffset);
    }

    [Fact]
    public async Task A_producer_faster_than_the_broker_blocks_at_buffer_memory()
    {
        await Client.Admin.CreateTopicAsync("slow-sink", 1);
        fixture.Faults.CloseSlowGate();
        var config = new ProducerConfig { BufferMemory = 64 * 1024, MaxRequestSize = 16 * 1024, BatchSize = 8 * 1024, Linger = TimeSpan.Zero };
        await using var producer = Client.CreateProducer<Null?, byte[]>(config);
        var produced = 0;
        var delivered = 0;
        var peak = 0L;
        var writer = Task.Run(() =>
        {
            for (var i = 0; i < 400; i++)
            {
                producer.Produce("slow-sink", new Message<Null?, byte[]> { Value = new byte[1024] }, _ => Interlocked.Increment(ref delivered));
                Interlocked.Increment(ref produced);
                peak = Math.Max(peak, producer.BufferedBytes);
            }
        });

        await Wait.Until(() => producer.BlockedProduces == 1, "the writer blocks at buffer.memory");
        var stalledAt = Volatile.Read(ref produced);
        Assert.False(writer.IsCompleted);
        Assert.InRange(Volatile.Read(ref produced), stalledAt, stalledAt + 1);
        Assert.True(producer.BufferedBytes <= config.BufferMemory);

        fixture.Faults.OpenSlowGate();
        await writer;
        await producer.FlushAsync();
        Assert.Equal(400, delivered);
        Assert.True(peak <= config.BufferMemory, $"peak {peak} above buffer.memory");
    }

    [Fact]
    public async Task A_record_the_broker_does_not_answer_fails_at_the_delivery_timeout()
    {
        await Client.Admin.CreateTopicAsync("slow-timeout", 1);
        fixture.Faults.CloseSlowGate();
        try
        {
            await using var producer = Client.CreateProducer<Null?, string>(new ProducerConfig { DeliveryTimeout = TimeSpan.FromMilliseconds(500), RequestTimeout = TimeSpan.FromMilliseconds(200), Linger = TimeSpan.Zero });
            var failed = await Assert.ThrowsAsync<ProduceException<Null?, string>>(() => producer.ProduceAsync("slow-timeout", new Message<Null?, string> { Value = "late" }));
            Assert.Equal(ErrorCode.RequestTimedOut, failed.Code);
            Assert.Equal("late", failed.DeliveryResult.Message.Value);
        }
        finally
        {
            fixture.Faults.OpenSlowGate();
        }
    }

    [Fact]
    public async Task With_acks_zero_records_are_reported_at_once_without_offsets_and_still_land()
    {
        await Client.Admin.CreateTopicAsync("acks-zero", 1);
        await using (var producer = Client.CreateProducer<Null?, string>(new ProducerConfig { Acks = Acks.None }))
        {
            var result = await producer.ProduceAsync("acks-zero", new Message<Null?, string> { Value = "fire" });
            Assert.Equal(-1, result.Offset);
        }

        using var consumer = Client.CreateConsumer<Null?, string>();
        consumer.Assign([new TopicPartitionOffset("acks-zero", 0, 0)]);
        Assert.Equal("fire", consumer.Consume(TimeSpan.FromSeconds(10))!.Message.Value);
    }

    [Fact]
    public async Task Invalid_settings_and_records_are_refused_with_specific_errors()
    {
        Assert.Throws<ArgumentException>(() => Client.CreateProducer<string, string>(new ProducerConfig { Acks = 2 }));
        Assert.Throws<ArgumentException>(() => Client.CreateProducer<string, string>(new ProducerConfig { Acks = 1, EnableIdempotence = true }));
        Assert.Throws<ArgumentException>(() => Client.CreateProducer<string, string>(new ProducerConfig { BatchSize = 0 }));
        Assert.Throws<ArgumentException>(() => Client.CreateProducer<string, string>(new ProducerConfig { BufferMemory = 1024 }));

        await Client.Admin.CreateTopicAsync("refusals", 1);
        await using var producer = Client.CreateProducer<string, byte[]>(new ProducerConfig { MaxRequestSize = 64 * 1024, BatchSize = 16 * 1024 });
        var tooLarge = await Assert.ThrowsAsync<ProduceException<string, byte[]>>(() => producer.ProduceAsync("refusals", new Message<string, byte[]> { Key = "k", Value = new byte[100_000] }));
        Assert.Equal(ErrorCode.MessageTooLarge, tooLarge.Code);
        var noPartition = await Assert.ThrowsAsync<ProduceException<string, byte[]>>(() => producer.ProduceAsync(new TopicPartition("refusals", 5), new Message<string, byte[]> { Key = "k", Value = [1] }));
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, noPartition.Code);
        var noTopic = await Assert.ThrowsAsync<OrleansLogException>(() => producer.ProduceAsync("no-such-topic", new Message<string, byte[]> { Key = "k", Value = [1] }));
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, noTopic.Code);
    }

    public sealed record Order(string Id, int Quantity, decimal Price);
}
