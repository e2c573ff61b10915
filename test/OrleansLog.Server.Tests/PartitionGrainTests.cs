using System.Collections.Immutable;
using OrleansLog.Metadata;
using OrleansLog.Partitions;
using OrleansLog.Producers;
using OrleansLog.Records;
using OrleansLog.Server.Retention;
using OrleansLog.Testing;
using OrleansLog.Topics;

namespace OrleansLog.Server.Tests;

public class PartitionGrainTests(BrokerClusterFixture fixture) : IClassFixture<BrokerClusterFixture>
{
    private IMetadataGrain Metadata => fixture.Grains.GetGrain<IMetadataGrain>(IMetadataGrain.ClusterKey);

    [Fact]
    public async Task Produce_assigns_dense_offsets_and_fetch_returns_the_records()
    {
        var partition = await NewTopic("produce-fetch");
        Assert.Equal(0, (await partition.Produce(new ProduceRequest(Batches.Of("a", "b")))).BaseOffset);
        Assert.Equal(2, (await partition.Produce(new ProduceRequest(Batches.Of("c")))).BaseOffset);

        var fetched = await partition.Fetch(new FetchRequest(0));
        Assert.Equal(ErrorCode.None, fetched.Error);
        Assert.Equal(3, fetched.HighWatermark);
        Assert.Equal(3, fetched.NextOffset);
        Assert.Equal([(0L, "a"), (1L, "b"), (2L, "c")], Batches.Records(fetched.Records.Span));
    }

    [Fact]
    public async Task A_retried_idempotent_batch_is_answered_with_its_first_offset_and_not_appended_again()
    {
        var partition = await NewTopic("idempotent-retry");
        var producer = await fixture.Grains.GetGrain<IProducerIdGrain>(IProducerIdGrain.ClusterKey).InitProducerId();
        var first = Batches.Idempotent(producer.ProducerId, producer.Epoch, 0, "a", "b");
        Assert.Equal(0, (await partition.Produce(new ProduceRequest(first))).BaseOffset);
        Assert.Equal(2, (await partition.Produce(new ProduceRequest(Batches.Idempotent(producer.ProducerId, producer.Epoch, 2, "c")))).BaseOffset);

        var retry = await partition.Produce(new ProduceRequest(first));
        Assert.Equal(ErrorCode.None, retry.Error);
        Assert.Equal(0, retry.BaseOffset);
        Assert.Equal([(0L, "a"), (1L, "b"), (2L, "c")], Batches.Records((await partition.Fetch(new FetchRequest(0))).Records.Span));
    }

    [Fact]
    public async Task A_batch_under_a_producer_id_nobody_handed_out_is_refused()
    {
        var partition = await NewTopic("forged-producer");
        var allocated = await fixture.Grains.GetGrain<IProducerIdGrain>(IProducerIdGrain.ClusterKey).InitProducerId();

        var forged = await partition.Produce(new ProduceRequest(Batches.Idempotent(allocated.ProducerId + 1_000_000, 5, 0, "forged")));
        var genuine = await partition.Produce(new ProduceRequest(Batches.Idempotent(allocated.ProducerId, allocated.Epoch, 0, "genuine")));

        Assert.Equal(ErrorCode.UnknownProducerId, forged.Error);
        Assert.Equal((ErrorCode.None, 0L), (genuine.Error, genuine.BaseOffset));
    }

    [Fact]
    public async Task An_idempotent_batch_out_of_sequence_is_refused_and_nothing_is_appended()
    {
        var partition = await NewTopic("idempotent-gap");
        var producer = await fixture.Grains.GetGrain<IProducerIdGrain>(IProducerIdGrain.ClusterKey).InitProducerId();
        await partition.Produce(new ProduceRequest(Batches.Idempotent(producer.ProducerId, 0, 0, "a")));

        var gap = await partition.Produce(new ProduceRequest(Batches.Idempotent(producer.ProducerId, 0, 5, "x")));
        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, gap.Error);
        var twoBatches = await partition.Produce(new ProduceRequest((byte[])[.. Batches.Idempotent(producer.ProducerId, 0, 1, "b"), .. Batches.Idempotent(producer.ProducerId, 0, 2, "c")]));
        Assert.Equal(ErrorCode.InvalidRecord, twoBatches.Error);
        Assert.Equal(1, (await partition.GetState()).LogEndOffset);
    }

    [Fact]
    public async Task Producer_ids_are_never_handed_out_twice()
    {
        var grain = fixture.Grains.GetGrain<IProducerIdGrain>(IProducerIdGrain.ClusterKey);
        var ids = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => grain.InitProducerId()));
        Assert.Equal(10, ids.Select(i => i.ProducerId).Distinct().Count());
    }

    [Fact]
    public async Task Every_codec_passes_through_as_stored_bytes()
    {
        var partition = await NewTopic("codecs");
        foreach (var codec in Enum.GetValues<CompressionType>())
        {
            var batch = Batches.Of(codec, 5, $"{codec}-1", $"{codec}-2");
            var produced = await partition.Produce(new ProduceRequest(batch));
            var fetched = await partition.Fetch(new FetchRequest(produced.BaseOffset, MaxBytes: 1));
            // All but the stamped base offset and leader epoch (bytes 0-7 and 12-15); the length between them is kept too.
            Assert.Equal(batch.AsSpan(16).ToArray(), fetched.Records.Span[16..].ToArray());
            Assert.Equal(batch.AsSpan(8, 4).ToArray(), fetched.Records.Span[8..12].ToArray());
            Assert.Equal(0, RecordBatchHeader.Read(fetched.Records.Span).PartitionLeaderEpoch);
            Assert.Equal([(produced.BaseOffset, $"{codec}-1"), (produced.BaseOffset + 1, $"{codec}-2")], Batches.Records(fetched.Records.Span));
        }
    }

    [Fact]
    public async Task Invalid_acks_are_refused()
    {
        var partition = await NewTopic("acks");
        var response = await partition.Produce(new ProduceRequest(Batches.Of("a"), Acks: 2));
        Assert.Equal(ErrorCode.InvalidRequiredAcks, response.Error);
        Assert.Equal(0, (await partition.GetState()).LogEndOffset);
    }

    [Fact]
    public async Task A_corrupt_batch_is_refused_and_nothing_is_written()
    {
        var partition = await NewTopic("corrupt");
        var batch = Batches.Of("a");
        batch[^1] ^= 1;
        var response = await partition.Produce(new ProduceRequest(batch));
        Assert.Equal(ErrorCode.CorruptMessage, response.Error);
        Assert.Contains("CRC", response.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(0, (await partition.GetState()).LogEndOffset);
    }

    [Fact]
    public async Task A_batch_over_the_topics_max_message_bytes_is_refused()
    {
        var partition = await NewTopic("small-messages", ("max.message.bytes", "100"));
        var response = await partition.Produce(new ProduceRequest(Batches.Of(new string('x', 200))));
        Assert.Equal(ErrorCode.MessageTooLarge, response.Error);
        Assert.Equal(ErrorCode.None, (await partition.Produce(new ProduceRequest(Batches.Of("fits")))).Error);
    }

    [Fact]
    public async Task Unknown_topics_and_partitions_are_refused_on_the_data_path()
    {
        var unknownTopic = fixture.Grains.GetPartitionGrain("nope", 0);
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, (await unknownTopic.Produce(new ProduceRequest(Batches.Of("a")))).Error);
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, (await unknownTopic.Fetch(new FetchRequest(0))).Error);
        await NewTopic("one-partition");
        var beyond = fixture.Grains.GetPartitionGrain("one-partition", 1);
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, (await beyond.Produce(new ProduceRequest(Batches.Of("a")))).Error);
        await MetadataGrainTests.AssertError(ErrorCode.UnknownTopicOrPartition, () => beyond.GetState());
    }

    [Fact]
    public async Task A_topic_created_after_a_partition_was_asked_for_becomes_usable()
    {
        var partition = fixture.Grains.GetPartitionGrain("late", 0);
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, (await partition.Produce(new ProduceRequest(Batches.Of("a")))).Error);
        await Metadata.CreateTopic("late", 1, 1, ImmutableDictionary<string, string>.Empty);
        Assert.Equal(ErrorCode.None, (await partition.Produce(new ProduceRequest(Batches.Of("a")))).Error);
    }

    [Fact]
    public async Task Fetch_outside_the_log_is_offset_out_of_range_and_a_bad_size_is_refused()
    {
        var partition = await NewTopic("ranges");
        await partition.Produce(new ProduceRequest(Batches.Of("a")));
        var beyond = await partition.Fetch(new FetchRequest(5));
        Assert.Equal(ErrorCode.OffsetOutOfRange, beyond.Error);
        Assert.Equal(0, beyond.LogStartOffset);
        Assert.Equal(ErrorCode.OffsetOutOfRange, (await partition.Fetch(new FetchRequest(-1))).Error);
        Assert.Equal(ErrorCode.InvalidFetchSize, (await partition.Fetch(new FetchRequest(0, MaxBytes: 0))).Error);
    }

    [Fact]
    public async Task A_long_poll_fetch_is_answered_when_a_produce_arrives()
    {
        var partition = await NewTopic("long-poll");
        var waiting = partition.Fetch(new FetchRequest(0, MinBytes: 1, MaxWaitMs: 30_000));

        // Whether it waits (rather than answering empty at once) is LongPollFetchTests' to show; here, that the produce wakes it.
        await partition.Produce(new ProduceRequest(Batches.Of("wake")));
        var fetched = await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal([(0L, "wake")], Batches.Records(fetched.Records.Span));
    }

    [Fact]
    public async Task A_long_poll_fetch_with_nothing_new_returns_empty_at_max_wait()
    {
        var partition = await NewTopic("long-poll-empty");
        var fetched = await partition.Fetch(new FetchRequest(0, MinBytes: 1, MaxWaitMs: 100));
        Assert.Equal(ErrorCode.None, fetched.Error);
        Assert.Equal(0, fetched.Records.Length);
        Assert.Equal(0, fetched.HighWatermark);
    }

    [Fact]
    public async Task A_long_poll_told_to_stop_waiting_answers_at_once_with_the_offsets_and_no_error()
    {
        await NewTopic("long-poll-stopped");

        // Called from a silo, as the Kafka listener calls it: silos wait for the answer of a call they cancel.
        var partition = fixture.Inside.GetPartitionGrain("long-poll-stopped", 0);
        await partition.Produce(new ProduceRequest(Batches.Of("first")));
        using var stop = new CancellationTokenSource();
        var waiting = partition.Fetch(new FetchRequest(1, MinBytes: 1, MaxWaitMs: 60_000), stop.Token);
        Assert.False(waiting.IsCompleted);

        await stop.CancelAsync();
        var fetched = await waiting.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(ErrorCode.None, fetched.Error);
        Assert.Equal(0, fetched.Records.Length);
        Assert.Equal(1, fetched.HighWatermark);
        Assert.Equal(1, fetched.NextOffset);
    }

    [Fact]
    public async Task Fetch_waits_for_min_bytes_across_several_produces()
    {
        var partition = await NewTopic("min-bytes");
        var one = Batches.Of("0123456789");
        var waiting = partition.Fetch(new FetchRequest(0, MinBytes: one.Length * 3, MaxWaitMs: 30_000));
        for (var i = 0; i < 3; i++)
        {
            await partition.Produce(new ProduceRequest(Batches.Of("0123456789")));
        }

        var fetched = await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(3, Batches.Records(fetched.Records.Span).Count);
    }

    [Fact]
    public async Task List_offsets_answers_earliest_latest_and_by_timestamp()
    {
        var partition = await NewTopic("list-offsets");
        await partition.Produce(new ProduceRequest(Batches.WithTimestamps(1_000, 2_000)));
        await partition.Produce(new ProduceRequest(Batches.WithTimestamps(3_000)));
        Assert.Equal(0, await partition.ListOffset(ListOffsetsSpec.Earliest));
        Assert.Equal(3, await partition.ListOffset(ListOffsetsSpec.Latest));
        Assert.Equal(1, await partition.ListOffset(1_500));
        Assert.Equal(2, await partition.ListOffset(3_000));
        Assert.Equal(-1, await partition.ListOffset(9_999));
        await MetadataGrainTests.AssertError(ErrorCode.InvalidRequest, () => partition.ListOffset(-7));
    }

    [Fact]
    public async Task Retention_runs_over_every_partition_and_moves_the_log_start()
    {
        var one = Batches.Of("0123456789");
        var partition = await NewTopic("retained", ("segment.bytes", (one.Length * 2).ToString(System.Globalization.CultureInfo.InvariantCulture)), ("retention.bytes", one.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        for (var i = 0; i < 10; i++)
        {
            await partition.Produce(new ProduceRequest(one));
        }

        await fixture.SiloService<RetentionService>().RunOnce();
        var state = await partition.GetState();
        Assert.True(state.LogStartOffset >= 8, $"log start offset {state.LogStartOffset}");
        Assert.Equal(10, state.LogEndOffset);
        Assert.Equal(ErrorCode.OffsetOutOfRange, (await partition.Fetch(new FetchRequest(0))).Error);
        Assert.Equal(state.LogStartOffset, await partition.ListOffset(ListOffsetsSpec.Earliest));
    }

    [Fact]
    public async Task Describe_shows_every_partitions_offsets_and_size()
    {
        await Metadata.CreateTopic("described", 3, 1, ImmutableDictionary<string, string>.Empty);
        await fixture.Grains.GetPartitionGrain("described", 1).Produce(new ProduceRequest(Batches.Of("a", "b")));
        var details = await fixture.Grains.GetGrain<ITopicGrain>("described").Describe();
        Assert.Equal([0, 1, 2], details.Partitions.Select(p => p.Partition));
        Assert.Equal([0L, 2, 0], details.Partitions.Select(p => p.LogEndOffset));
        Assert.True(details.Partitions[1].SizeInBytes > 0);
    }

    [Fact]
    public async Task Concurrent_produces_to_one_partition_get_distinct_dense_offsets()
    {
        var partition = await NewTopic("concurrent");
        var responses = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => partition.Produce(new ProduceRequest(Batches.Of($"r{i}")))));
        Assert.All(responses, r => Assert.Equal(ErrorCode.None, r.Error));
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (long)i), responses.Select(r => r.BaseOffset).Order());
    }

    private async Task<IPartitionGrain> NewTopic(string name, params (string Key, string Value)[] configs)
    {
        await Metadata.CreateTopic(name, 1, 1, configs.ToImmutableDictionary(c => c.Key, c => c.Value));
        return fixture.Grains.GetPartitionGrain(name, 0);
    }
}
