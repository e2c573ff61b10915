using System.Buffers.Binary;
using System.Text;
using OrleansLog.Records;
using OrleansLog.Testing;

namespace OrleansLog.Records.Tests;

public class RecordBatchTests
{
    public static TheoryData<CompressionType> Codecs => new(Enum.GetValues<CompressionType>());

    [Theory]
    [MemberData(nameof(Codecs))]
    public void Records_round_trip_through_every_codec(CompressionType codec)
    {
        using var builder = new RecordBatchBuilder(codec);
        var values = Enumerable.Range(0, 500).Select(i => $"value-{i}-" + new string('x', i % 50)).ToArray();
        for (var i = 0; i < values.Length; i++)
        {
            builder.Add(10_000 + i, Encoding.UTF8.GetBytes($"key-{i}"), Encoding.UTF8.GetBytes(values[i]));
        }

        var batch = builder.Build().ToArray();
        var header = RecordBatchHeader.Read(batch);
        Assert.Equal(codec, header.Compression);
        Assert.Equal(500, header.RecordCount);
        Assert.Equal(499, header.LastOffsetDelta);
        Assert.Equal(10_000, header.BaseTimestamp);
        Assert.Equal(10_499, header.MaxTimestamp);
        Assert.Equal(batch.Length, header.SizeInBytes);
        RecordBatchValidator.ValidateOne(batch, int.MaxValue, producerBatch: true);

        using var reader = new RecordReader(batch);
        var i2 = 0;
        while (reader.TryReadNext(out var record))
        {
            Assert.Equal(i2, record.Offset);
            Assert.Equal(10_000 + i2, record.Timestamp);
            Assert.Equal($"key-{i2}", Encoding.UTF8.GetString(record.Key));
            Assert.Equal(values[i2], Encoding.UTF8.GetString(record.Value));
            i2++;
        }

        Assert.Equal(500, i2);
    }

    [Fact]
    public void Compression_shrinks_repetitive_records()
    {
        foreach (var codec in new[] { CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd })
        {
            using var builder = new RecordBatchBuilder(codec);
            for (var i = 0; i < 100; i++)
            {
                builder.Add(1, null, Encoding.UTF8.GetBytes(new string('a', 1000)));
            }

            Assert.True(builder.Build().Length < builder.UncompressedSizeInBytes / 5, $"{codec} did not compress");
        }
    }

    [Fact]
    public void Null_and_empty_keys_and_values_stay_distinct()
    {
        using var builder = new RecordBatchBuilder();
        builder.Add(1, null, null);
        builder.Add(1, [], []);
        builder.Add(1, [1], null);
        using var reader = new RecordReader(builder.Build().Span);

        Assert.True(reader.TryReadNext(out var first));
        Assert.False(first.HasKey);
        Assert.False(first.HasValue);
        Assert.True(reader.TryReadNext(out var second));
        Assert.True(second.HasKey);
        Assert.True(second.HasValue);
        Assert.Equal(0, second.Value.Length);
        Assert.True(reader.TryReadNext(out var third));
        Assert.True(third.HasKey);
        Assert.False(third.HasValue);
        Assert.False(reader.TryReadNext(out _));
    }

    [Fact]
    public void Headers_round_trip_with_null_values()
    {
        using var builder = new RecordBatchBuilder(CompressionType.Lz4);
        builder.Add(5, null, [9], new RecordHeader("trace-id", new byte[] { 1, 2, 3 }), new RecordHeader("ünïcode", null));
        using var reader = new RecordReader(builder.Build().Span);
        Assert.True(reader.TryReadNext(out var record));
        Assert.Equal(2, record.HeaderCount);
        var headers = record.Headers;
        Assert.True(headers.MoveNext());
        Assert.Equal("trace-id", Encoding.UTF8.GetString(headers.CurrentKey));
        Assert.Equal(new byte[] { 1, 2, 3 }, headers.CurrentValue.ToArray());
        Assert.True(headers.MoveNext());
        Assert.Equal("ünïcode", Encoding.UTF8.GetString(headers.CurrentKey));
        Assert.False(headers.CurrentHasValue);
        Assert.False(headers.MoveNext());
    }

    [Fact]
    public void The_crc_covers_attributes_to_the_end_but_not_offset_or_epoch()
    {
        var batch = Batches.Of("a", "b");
        RecordBatchHeader.StampBaseOffset(batch, 12345);
        RecordBatchHeader.StampPartitionLeaderEpoch(batch, 7);
        RecordBatchValidator.ValidateOne(batch, int.MaxValue, producerBatch: true);

        batch[^1] ^= 0xFF;
        var error = Assert.Throws<OrleansLogException>(() => RecordBatchValidator.ValidateOne(batch, int.MaxValue, true));
        Assert.Equal(ErrorCode.CorruptMessage, error.Code);
    }

    [Fact]
    public void The_crc_matches_the_published_crc32c_check_value()
    {
        // CRC-32C of "123456789" is 0xE3069283 (RFC 3720 / the Castagnoli catalogue's check value).
        Assert.Equal(0xE3069283u, Crc32C.Compute("123456789"u8));
    }

    [Fact]
    public void A_wrong_magic_is_refused()
    {
        var batch = Batches.Of("a");
        batch[RecordBatchLayout.MagicOffset] = 1;
        var error = Assert.Throws<OrleansLogException>(() => RecordBatchValidator.ValidateOne(batch, int.MaxValue, true));
        Assert.Equal(ErrorCode.UnsupportedForMessageFormat, error.Code);
    }

    [Fact]
    public void A_batch_over_the_size_limit_is_refused()
    {
        var batch = Batches.Of("0123456789");
        var error = Assert.Throws<OrleansLogException>(() => RecordBatchValidator.ValidateOne(batch, batch.Length - 1, true));
        Assert.Equal(ErrorCode.MessageTooLarge, error.Code);
    }

    [Fact]
    public void A_length_past_the_received_bytes_is_refused()
    {
        var batch = Batches.Of("a");
        var error = Assert.Throws<OrleansLogException>(() => RecordBatchValidator.ValidateOne(batch.AsSpan(0, batch.Length - 1), int.MaxValue, true));
        Assert.Equal(ErrorCode.CorruptMessage, error.Code);
        error = Assert.Throws<OrleansLogException>(() => RecordBatchValidator.ValidateOne(batch.AsSpan(0, 30), int.MaxValue, true));
        Assert.Equal(ErrorCode.CorruptMessage, error.Code);
    }

    [Fact]
    public void An_unknown_codec_is_refused()
    {
        var batch = Batches.Of("a");
        BinaryPrimitives.WriteInt16BigEndian(batch.AsSpan(RecordBatchLayout.AttributesOffset), 5);
        BinaryPrimitives.WriteUInt32BigEndian(batch.AsSpan(RecordBatchLayout.CrcOffset), Crc32C.Compute(batch.AsSpan(RecordBatchLayout.AttributesOffset)));
        var error = Assert.Throws<OrleansLogException>(() => RecordBatchValidator.ValidateOne(batch, int.MaxValue, true));
        Assert.Equal(ErrorCode.UnsupportedCompressionType, error.Code);
    }

    [Fact]
    public void A_produced_batch_with_gaps_in_offset_deltas_is_refused()
    {
        var batch = Batches.Of("a", "b");
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(RecordBatchLayout.LastOffsetDeltaOffset), 5);
        BinaryPrimitives.WriteUInt32BigEndian(batch.AsSpan(RecordBatchLayout.CrcOffset), Crc32C.Compute(batch.AsSpan(RecordBatchLayout.AttributesOffset)));
        var error = Assert.Throws<OrleansLogException>(() => RecordBatchValidator.ValidateOne(batch, int.MaxValue, producerBatch: true));
        Assert.Equal(ErrorCode.InvalidRecord, error.Code);
        RecordBatchValidator.ValidateOne(batch, int.MaxValue, producerBatch: false);
    }

    [Fact]
    public void An_empty_request_is_refused()
    {
        var error = Assert.Throws<OrleansLogException>(() => RecordBatchValidator.Validate([], int.MaxValue, true));
        Assert.Equal(ErrorCode.InvalidRecord, error.Code);
    }

    [Fact]
    public void Garbage_compressed_payload_is_corrupt_message()
    {
        foreach (var codec in new[] { CompressionType.Gzip, CompressionType.Lz4, CompressionType.Zstd, CompressionType.Snappy })
        {
            var batch = Batches.Of(codec, 1, "hello world hello world hello world");
            for (var i = RecordBatchLayout.RecordsOffset; i < batch.Length; i++)
            {
                batch[i] = 0xAB;
            }

            var error = Assert.Throws<OrleansLogException>(() =>
            {
                using var reader = new RecordReader(batch);
                while (reader.TryReadNext(out _))
                {
                }
            });
            Assert.Equal(ErrorCode.CorruptMessage, error.Code);
        }
    }

    [Fact]
    public void Snappy_also_reads_a_bare_block_without_xerial_framing()
    {
        var records = Batches.Of("x");
        var raw = records.AsSpan(RecordBatchLayout.RecordsOffset).ToArray();
        var block = Snappier.Snappy.CompressToArray(raw);
        using var output = new Buffers.PooledBufferWriter();
        Compression.CompressionCodecs.Decompress(CompressionType.Snappy, block, output);
        Assert.Equal(raw, output.WrittenSpan.ToArray());
    }

    [Fact]
    public void Kafka_error_names_are_upper_snake_case()
    {
        Assert.Equal("NOT_LEADER_OR_FOLLOWER", ErrorCode.NotLeaderOrFollower.KafkaName());
        Assert.Equal("OFFSET_OUT_OF_RANGE", ErrorCode.OffsetOutOfRange.KafkaName());
        Assert.Equal("KAFKA_STORAGE_ERROR", ErrorCode.KafkaStorageError.KafkaName());
        Assert.True(ErrorCode.NotLeaderOrFollower.IsRetriable());
        Assert.False(ErrorCode.MessageTooLarge.IsRetriable());
    }
}
