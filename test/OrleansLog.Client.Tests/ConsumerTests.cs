using OrleansLog.Client.Consuming;
using OrleansLog.Client.Producing;
using OrleansLog.Client.Serialization;
using OrleansLog.Partitions;
using OrleansLog.Testing;

namespace OrleansLog.Client.Tests;

public class ConsumerTests(ClientClusterFixture fixture) : IClassFixture<ClientClusterFixture>
{
    private OrleansLogClient Client => new(fixture.Grains);

    [Fact]
    public async Task Seek_position_pause_and_resume_behave_as_in_kafka()
    {
        await Fill("seek", 10);
        using var consumer = Client.CreateConsumer<string, string>();
        var partition = new TopicPartition("seek", 0);
        consumer.Assign([new TopicPartitionOffset(partition, 0)]);
        Assert.Equal(0, consumer.Consume(TimeSpan.FromSeconds(10))!.Offset);
        Assert.Equal(1, consumer.Position(partition));

        consumer.Seek(new TopicPartitionOffset(partition, 7));
        Assert.Equal("v7", consumer.Consume(TimeSpan.FromSeconds(10))!.Message.Value);

        consumer.Pause([partition]);
        Assert.Equal([partition], consumer.Paused());
        Assert.Null(consumer.Consume(TimeSpan.FromMilliseconds(300)));
        consumer.Resume([partition]);
        Assert.Equal("v8", consumer.Consume(TimeSpan.FromSeconds(10))!.Message.Value);
    }

    [Fact]
    public async Task Auto_offset_reset_decides_where_a_partition_without_commits_starts()
    {
        await Fill("reset", 5);
        var partition = new TopicPartition("reset", 0);

        using (var earliest = Client.CreateConsumer<string, string>(new ConsumerConfig { GroupId = "reset-earliest", AutoOffsetReset = AutoOffsetReset.Earliest }))
        {
            earliest.Assign([partition]);
            Assert.Equal(0, earliest.Consume(TimeSpan.FromSeconds(10))!.Offset);
        }

        using (var latest = Client.CreateConsumer<string, string>(new ConsumerConfig { GroupId = "reset-latest", AutoOffsetReset = AutoOffsetReset.Latest }))
        {
            latest.Assign([partition]);
            Assert.Null(latest.Consume(TimeSpan.FromMilliseconds(500)));
            Assert.Equal(5, latest.Position(partition));
        }

        using var error = Client.CreateConsumer<string, string>(new ConsumerConfig { GroupId = "reset-error", AutoOffsetReset = AutoOffsetReset.Error });
        error.Assign([partition]);
        var refused = Assert.Throws<ConsumeException>(() => error.Consume(TimeSpan.FromSeconds(10)));
        Assert.Equal(ErrorCode.OffsetOutOfRange, refused.Code);
    }

    [Fact]
    public async Task Commit_is_durable_and_a_new_consumer_resumes_from_it()
    {
        await Fill("resume", 10);
        var config = new ConsumerConfig { GroupId = "resume-group", EnableAutoCommit = false, AutoOffsetReset = AutoOffsetReset.Earliest };
        var partition = new TopicPartition("resume", 0);
        using (var first = Client.CreateConsumer<string, string>(config))
        {
            first.Assign([partition]);
            for (var i = 0; i < 4; i++)
            {
                first.Consume(TimeSpan.FromSeconds(10));
            }

            Assert.Equal([new TopicPartitionOffset(partition, 4)], first.Commit());
            Assert.Equal([new TopicPartitionOffset(partition, 4)], first.Committed([partition]));
        }

        using var second = Client.CreateConsumer<string, string>(config);
        second.Assign([partition]);
        Assert.Equal("v4", second.Consume(TimeSpan.FromSeconds(10))!.Message.Value);
    }

    [Fact]
    public async Task Auto_commit_commits_consumed_positions_in_the_background()
    {
        await Fill("auto-commit", 5);
        var partition = new TopicPartition("auto-commit", 0);
        using var consumer = Client.CreateConsumer<string, string>(new ConsumerConfig { GroupId = "auto-commit-group", AutoOffsetReset = AutoOffsetReset.Earliest, AutoCommitInterval = TimeSpan.FromMilliseconds(100) });
        consumer.Assign([partition]);
        for (var i = 0; i < 5; i++)
        {
            Assert.NotNull(consumer.Consume(TimeSpan.FromSeconds(10)));
        }

        await Wait.Until(
            () =>
            {
                consumer.Consume(TimeSpan.FromMilliseconds(20));
                return consumer.Committed([partition])[0].Offset == 5;
            },
            "the position is auto-committed");
    }

    [Fact]
    public async Task A_consumer_that_does_not_keep_up_prefetches_at_most_two_fetches_per_partition()
    {
        await Client.Admin.CreateTopicAsync("backlog", 1);
        await using (var producer = Client.CreateProducer<Null?, byte[]>(new ProducerConfig { BatchSize = 16 * 1024, MaxRequestSize = 16 * 1024, Linger = TimeSpan.FromMilliseconds(20) }))
        {
            for (var i = 0; i < 2000; i++)
            {
                producer.Produce("backlog", new Message<Null?, byte[]> { Value = new byte[1024] });
            }

            await producer.FlushAsync();
        }

        const int FetchBytes = 64 * 1024;
        const long Bound = 2 * (FetchBytes + (32 * 1024));
        var partition = new TopicPartition("backlog", 0);
        using var consumer = Client.CreateConsumer<Null?, byte[]>(new ConsumerConfig { MaxPartitionFetchBytes = FetchBytes });
        consumer.Assign([new TopicPartitionOffset(partition, 0)]);
        Assert.NotNull(consumer.Consume(TimeSpan.FromSeconds(10)));
        await Wait.Until(() => consumer.IsPrefetchFull, "the prefetch reaches its bound and the fetcher stops");
        Assert.InRange(consumer.PrefetchedBytes, 1, Bound);

        for (var i = 0; i < 20; i++)
        {
            consumer.Seek(new TopicPartitionOffset(partition, i * 50));
            await Wait.Until(() => consumer.PrefetchedBytes > 0, "a fetch from the new position lands");
        }

        await Wait.Until(() => consumer.IsPrefetchFull, "the prefetch after the seeks reaches its bound");
        Assert.InRange(consumer.PrefetchedBytes, 0, Bound);
        Assert.Equal(950, consumer.Consume(TimeSpan.FromSeconds(10))!.Offset);
    }

    [Fact]
    public async Task Consume_all_streams_records_in_partition_order()
    {
        await Fill("stream", 50);
        using var consumer = Client.CreateConsumer<string, string>();
        consumer.Assign([new TopicPartitionOffset("stream", 0, Offsets.Beginning)]);
        using var cancellation = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var offsets = new List<long>();
        await foreach (var record in consumer.ConsumeAllAsync(cancellation.Token))
        {
            offsets.Add(record.Offset);
            if (offsets.Count == 50)
            {
                break;
            }
        }

        Assert.Equal(Enumerable.Range(0, 50).Select(i => (long)i), offsets);
    }

    [Fact]
    public async Task Records_of_many_fetches_arrive_whole_while_the_fetch_buffers_are_reused()
    {
        // Small fetches over two partitions: each answer lands in a pooled array that goes back once decoded, and the
        // next fetches reuse it. A buffer handed back too early would show as a value with another record's bytes.
        const int Count = 1500;
        await Client.Admin.CreateTopicAsync("reuse", 2);
        await using (var producer = Client.CreateProducer<string, byte[]>(new ProducerConfig { BatchSize = 8 * 1024, Linger = TimeSpan.FromMilliseconds(2) }))
        {
            for (var i = 0; i < Count; i++)
            {
                producer.Produce("reuse", new Message<string, byte[]> { Key = i.ToString(System.Globalization.CultureInfo.InvariantCulture), Value = ValueOf(i) });
            }

            await producer.FlushAsync();
        }

        using var consumer = Client.CreateConsumer<string, byte[]>(new ConsumerConfig { MaxPartitionFetchBytes = 8 * 1024 });
        consumer.Assign([new TopicPartitionOffset("reuse", 0, Offsets.Beginning), new TopicPartitionOffset("reuse", 1, Offsets.Beginning)]);
        var seen = new HashSet<int>();
        while (seen.Count < Count)
        {
            var record = consumer.Consume(TimeSpan.FromSeconds(10)) ?? throw new TimeoutException($"{seen.Count} of {Count} records arrived.");
            var index = int.Parse(record.Message.Key, System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(ValueOf(index), record.Message.Value);
            Assert.True(seen.Add(index), $"record {index} arrived twice");
        }

        static byte[] ValueOf(int i) => [.. Enumerable.Range(0, 200 + (i % 300)).Select(j => (byte)((i * 31) + j))];
    }

    [Fact]
    public void A_released_chunk_hands_its_pooled_array_back_once()
    {
        var fetcher = new PartitionFetcher(new TopicPartition("released", 0), 0, fixture.Grains, new ConsumerConfig(), System.Threading.Channels.Channel.CreateUnbounded<FetchedChunk>().Writer, TimeProvider.System);
        var owner = FetchedBatches.OfRented(System.Buffers.ArrayPool<byte>.Shared.Rent(100), 100);
        var chunk = new FetchedChunk(fetcher, 0, owner);

        fetcher.Release(chunk);

        Assert.Throws<ObjectDisposedException>(() => owner.Memory);
        owner.Dispose();
    }

    [Fact]
    public void Invalid_consumer_settings_are_refused()
    {
        Assert.Throws<ArgumentException>(() => Client.CreateConsumer<string, string>(new ConsumerConfig { PartitionAssignmentStrategy = "sticky-ish" }));
        Assert.Throws<ArgumentException>(() => Client.CreateConsumer<string, string>(new ConsumerConfig { HeartbeatInterval = TimeSpan.FromMinutes(5) }));
        Assert.Throws<ArgumentException>(() => Client.CreateConsumer<string, string>(new ConsumerConfig { MaxPartitionFetchBytes = 0 }));
        using var noGroup = Client.CreateConsumer<string, string>();
        Assert.Equal(ErrorCode.InvalidGroupId, Assert.Throws<OrleansLogException>(() => noGroup.Subscribe("t")).Code);
    }

    private async Task Fill(string topic, int count)
    {
        await Client.Admin.CreateTopicAsync(topic, 1);
        await using var producer = Client.CreateProducer<string, string>();
        for (var i = 0; i < count; i++)
        {
            await producer.ProduceAsync(topic, new Message<string, string> { Key = "k", Value = $"v{i}" });
        }
    }
}
