using System.Text;
using Microsoft.Extensions.Time.Testing;
using OrleansLog.Records;
using OrleansLog.Testing;

namespace OrleansLog.Storage.Tests;

/// <summary>
/// A leader's log applies its topic's <c>compression.type</c> (recompressing batches in another codec) and
/// <c>message.timestamp.type=LogAppendTime</c> (stamping its clock) to what producers send; the stored
/// batches stay valid (CRC, records) and followers copy them as stored.
/// </summary>
public sealed class LogCodecAndTimestampTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData(CompressionType.Gzip, CompressionType.Zstd)]
    [InlineData(CompressionType.None, CompressionType.Lz4)]
    [InlineData(CompressionType.Snappy, CompressionType.None)]
    [InlineData(CompressionType.Zstd, CompressionType.Gzip)]
    public void A_batch_in_another_codec_is_stored_in_the_topics_codec_with_the_same_records(CompressionType sent, CompressionType stored)
    {
        using var log = PartitionLog.Open(_temp.Sub("codec"), new LogConfig { Compression = stored });
        var batch = Batches.Of(sent, 1_000, "a", "b", "c");
        var copy = batch.ToArray();

        log.Append(batch, leaderEpoch: 3);

        Assert.Equal(copy, batch);
        var read = StoredBatch(log);
        RecordBatchValidator.ValidateOne(read, int.MaxValue, producerBatch: true);
        var header = RecordBatchHeader.Read(read);
        Assert.Equal(stored, header.Compression);
        Assert.Equal(3, header.PartitionLeaderEpoch);
        Assert.Equal([(0, "a"), (1, "b"), (2, "c")], Batches.Records(read));
    }

    [Fact]
    public void A_batch_already_in_the_topics_codec_is_stored_byte_for_byte()
    {
        using var log = PartitionLog.Open(_temp.Sub("same"), new LogConfig { Compression = CompressionType.Zstd });
        var batch = Batches.Of(CompressionType.Zstd, 1_000, "a", "b");

        log.Append(batch);

        Assert.Equal(batch, StoredBatch(log));
    }

    [Fact]
    public void The_producer_setting_keeps_each_producers_codec()
    {
        using var log = PartitionLog.Open(_temp.Sub("producer"), new LogConfig());
        log.Append(Batches.Of(CompressionType.Gzip, 1_000, "a"));
        log.Append(Batches.Of(CompressionType.Lz4, 1_000, "b"));

        using var read = log.Read(0, 1 << 20);
        var first = RecordBatchHeader.Read(read.Records.Span);
        Assert.Equal(CompressionType.Gzip, first.Compression);
        Assert.Equal(CompressionType.Lz4, RecordBatchHeader.Read(read.Records.Span[first.SizeInBytes..]).Compression);
    }

    [Fact]
    public void Recompression_keeps_the_producer_id_and_sequence()
    {
        using var log = PartitionLog.Open(_temp.Sub("idempotent"), new LogConfig { Compression = CompressionType.Gzip });
        var batch = Batches.Idempotent(producerId: 42, epoch: 2, baseSequence: 7, "a", "b");

        log.Append(batch);

        var header = RecordBatchHeader.Read(StoredBatch(log));
        Assert.Equal((CompressionType.Gzip, 42L, (short)2, 7, 2), (header.Compression, header.ProducerId, header.ProducerEpoch, header.BaseSequence, header.RecordCount));
    }

    [Fact]
    public void A_batch_that_outgrows_max_message_bytes_in_the_topics_codec_is_refused_and_nothing_is_appended()
    {
        var value = new string('x', 4_000);
        var batch = Batches.Of(CompressionType.Zstd, 1_000, value);
        using var log = PartitionLog.Open(_temp.Sub("too-large"), new LogConfig { Compression = CompressionType.None, MaxMessageBytes = 1_000 });

        var error = Assert.Throws<OrleansLogException>(() => log.Append(batch));

        Assert.Equal(ErrorCode.MessageTooLarge, error.Code);
        Assert.Equal(0, log.LogEndOffset);
    }

    [Fact]
    public void Log_append_time_stamps_the_leaders_clock_on_every_record_and_survives_a_reopen()
    {
        var time = new FakeTimeProvider(Now);
        var config = new LogConfig { TimestampType = TimestampType.LogAppendTime, Compression = CompressionType.Lz4 };
        var directory = _temp.Sub("append-time");
        var farFuture = new DateTimeOffset(9999, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        var now = Now.ToUnixTimeMilliseconds();
        using (var log = PartitionLog.Open(directory, config, time: time))
        {
            var info = log.Append(Batches.Of(CompressionType.Gzip, farFuture, "a", "b"));
            Assert.Equal(now, info.LogAppendTime);
            Assert.Equal(now, info.MaxTimestamp);
        }

        using (var reopened = PartitionLog.Open(directory, config, time: time))
        {
            var stored = StoredBatch(reopened);
            RecordBatchValidator.ValidateOne(stored, int.MaxValue, producerBatch: true);
            var header = RecordBatchHeader.Read(stored);
            Assert.Equal((TimestampType.LogAppendTime, now, CompressionType.Lz4), (header.TimestampType, header.MaxTimestamp, header.Compression));
            Assert.Equal([now, now], Timestamps(stored));
            Assert.Equal(0, reopened.OffsetForTimestamp(now));
        }
    }

    [Fact]
    public void Create_time_refuses_what_log_append_time_accepts()
    {
        var time = new FakeTimeProvider(Now);
        var farFuture = Now.AddYears(1).ToUnixTimeMilliseconds();
        using var createTime = PartitionLog.Open(_temp.Sub("create-time"), new LogConfig(), time: time);
        using var appendTime = PartitionLog.Open(_temp.Sub("log-append-time"), new LogConfig { TimestampType = TimestampType.LogAppendTime }, time: time);

        Assert.Equal(ErrorCode.InvalidTimestamp, Assert.Throws<OrleansLogException>(() => createTime.Append(Batches.Of(CompressionType.None, farFuture, "a"))).Code);
        Assert.Equal(Now.ToUnixTimeMilliseconds(), appendTime.Append(Batches.Of(CompressionType.None, farFuture, "a")).LogAppendTime);
        Assert.Equal(-1, createTime.Append(Batches.Of(CompressionType.None, Now.ToUnixTimeMilliseconds(), "b")).LogAppendTime);
    }

    [Fact]
    public void A_follower_copies_the_leaders_recompressed_and_stamped_batches_as_they_are()
    {
        var time = new FakeTimeProvider(Now);
        var config = new LogConfig { TimestampType = TimestampType.LogAppendTime, Compression = CompressionType.Zstd };
        using var leader = PartitionLog.Open(_temp.Sub("leader"), config, time: time);
        using var follower = PartitionLog.Open(_temp.Sub("follower"), config, time: new FakeTimeProvider(Now.AddHours(1)));
        leader.Append(Batches.Of(CompressionType.Gzip, 1_000, "a", "b"), leaderEpoch: 1);

        var stored = StoredBatch(leader);
        follower.AppendAsFollower(stored);

        Assert.Equal(stored, StoredBatch(follower));
    }

    private static byte[] StoredBatch(PartitionLog log)
    {
        using var read = log.Read(log.LogStartOffset, 1 << 20);
        return read.Records.ToArray();
    }

    private static List<long> Timestamps(ReadOnlySpan<byte> batch)
    {
        var result = new List<long>();
        using var reader = new RecordReader(batch);
        while (reader.TryReadNext(out var record))
        {
            result.Add(record.Timestamp);
            Assert.False(string.IsNullOrEmpty(Encoding.UTF8.GetString(record.Value)));
        }

        return result;
    }
}
