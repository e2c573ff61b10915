using System.Buffers.Binary;
using System.Text;
using OrleansLog.Records.Buffers;

namespace OrleansLog.Records.Tests;

/// <summary>The cleaner's rewrite of one batch: what is kept reads back as it was, at its own offset, under a header that keeps what producers and readers rely on.</summary>
public sealed class RecordBatchFilterTests
{
    private const long BaseOffset = 1_000;

    public static TheoryData<CompressionType, int> Cases()
    {
        var cases = new TheoryData<CompressionType, int>();
        foreach (var codec in new[] { CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd })
        {
            foreach (var seed in new[] { 1, 2, 3 })
            {
                cases.Add(codec, seed);
            }
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Kept_records_read_back_at_their_offsets_and_the_header_keeps_the_batchs_identity(CompressionType codec, int seed)
    {
        var random = new Random(seed);
        using var builder = new RecordBatchBuilder(codec) { ProducerId = 42, ProducerEpoch = 3, BaseSequence = 17 };
        var written = new List<(long Offset, long Timestamp, string? Key, string? Value, string Header)>();
        for (var i = 0; i < 50; i++)
        {
            var key = random.Next(10) == 0 ? null : $"key-{random.Next(8)}";
            var value = random.Next(6) == 0 ? null : $"value-{i}-{new string('x', random.Next(40))}";
            var timestamp = 1_700_000_000_000 + random.Next(100_000);
            builder.Add(timestamp, Bytes(key), Bytes(value), new RecordHeader("h", Encoding.UTF8.GetBytes($"h{i}")));
            written.Add((BaseOffset + i, timestamp, key, value, $"h{i}"));
        }

        var original = Stamped(builder.Build(), leaderEpoch: 7);
        var keep = written.Where(_ => random.Next(3) == 0).Select(r => r.Offset).ToHashSet();
        using var destination = new PooledBufferWriter();
        var kept = RecordBatchFilter.Filter(original, (in Record record) => keep.Contains(record.Offset), destination);
        var cleaned = destination.WrittenSpan;

        Assert.Equal(keep.Count, kept);
        Assert.Equal(cleaned.Length, RecordBatchValidator.ValidateOne(cleaned, int.MaxValue, producerBatch: false));
        var before = RecordBatchHeader.Read(original);
        var after = RecordBatchHeader.Read(cleaned);
        Assert.Equal(before.BaseOffset, after.BaseOffset);
        Assert.Equal(before.LastOffsetDelta, after.LastOffsetDelta);
        Assert.Equal((42L, (short)3, 17), (after.ProducerId, after.ProducerEpoch, after.BaseSequence));
        Assert.Equal(7, after.PartitionLeaderEpoch);
        Assert.Equal(before.BaseTimestamp, after.BaseTimestamp);
        Assert.Equal(keep.Count, after.RecordCount);

        var expected = written.Where(r => keep.Contains(r.Offset)).ToList();
        var reader = new RecordReader(cleaned);
        try
        {
            Assert.Equal(kept > 0 ? codec : CompressionType.None, reader.Header.Compression);
            Assert.Equal(expected.Count == 0 ? before.BaseTimestamp : expected.Max(r => r.Timestamp), reader.Header.MaxTimestamp);
            foreach (var want in expected)
            {
                Assert.True(reader.TryReadNext(out var record));
                Assert.Equal(want.Offset, record.Offset);
                Assert.Equal(want.Timestamp, record.Timestamp);
                Assert.Equal(want.Key, record.HasKey ? Encoding.UTF8.GetString(record.Key) : null);
                Assert.Equal(want.Value, record.HasValue ? Encoding.UTF8.GetString(record.Value) : null);
                var headers = record.Headers;
                Assert.True(headers.MoveNext());
                Assert.Equal(want.Header, Encoding.UTF8.GetString(headers.CurrentValue));
                Assert.False(headers.MoveNext());
            }

            Assert.False(reader.TryReadNext(out _));
        }
        finally
        {
            reader.Dispose();
        }
    }

    [Fact]
    public void Keeping_everything_keeps_every_record_and_keeping_nothing_leaves_an_empty_batch()
    {
        using var builder = new RecordBatchBuilder(CompressionType.Lz4);
        builder.Add(5, Encoding.UTF8.GetBytes("a"), Encoding.UTF8.GetBytes("1"));
        builder.Add(6, Encoding.UTF8.GetBytes("b"), null);
        var original = Stamped(builder.Build(), leaderEpoch: 0);

        using var all = new PooledBufferWriter();
        Assert.Equal(2, RecordBatchFilter.Filter(original, (in Record _) => true, all));
        Assert.Equal(2, RecordBatchHeader.Read(all.WrittenSpan).RecordCount);

        using var none = new PooledBufferWriter();
        Assert.Equal(0, RecordBatchFilter.Filter(original, (in Record _) => false, none));
        var empty = RecordBatchHeader.Read(none.WrittenSpan);
        Assert.Equal((0, 1, BaseOffset + 1), (empty.RecordCount, empty.LastOffsetDelta, empty.LastOffset));
        Assert.Equal(RecordBatchLayout.HeaderSize, none.WrittenCount);
        Assert.Equal(none.WrittenCount, RecordBatchValidator.ValidateOne(none.WrittenSpan, int.MaxValue, producerBatch: false));
        var reader = new RecordReader(none.WrittenSpan);
        try
        {
            Assert.False(reader.TryReadNext(out _));
        }
        finally
        {
            reader.Dispose();
        }
    }

    [Fact]
    public void A_filtered_batch_is_appended_after_what_the_destination_holds()
    {
        using var builder = new RecordBatchBuilder();
        builder.Add(1, Encoding.UTF8.GetBytes("k"), Encoding.UTF8.GetBytes("v"));
        var original = Stamped(builder.Build(), leaderEpoch: 1);
        using var destination = new PooledBufferWriter();
        RecordBatchFilter.Filter(original, (in Record _) => true, destination);
        RecordBatchFilter.Filter(original, (in Record _) => true, destination);
        Assert.Equal(2, RecordBatchValidator.Validate(destination.WrittenSpan, int.MaxValue, producerBatch: false));
    }

    private static byte[]? Bytes(string? text) => text is null ? null : Encoding.UTF8.GetBytes(text);

    /// <summary>The batch as a log holds it: its base offset and leader epoch stamped (outside the CRC).</summary>
    private static byte[] Stamped(ReadOnlyMemory<byte> built, int leaderEpoch)
    {
        var batch = built.ToArray();
        BinaryPrimitives.WriteInt64BigEndian(batch.AsSpan(RecordBatchLayout.BaseOffsetOffset), BaseOffset);
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(RecordBatchLayout.PartitionLeaderEpochOffset), leaderEpoch);
        return batch;
    }
}
