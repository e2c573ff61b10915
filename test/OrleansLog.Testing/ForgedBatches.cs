using System.Buffers.Binary;
using OrleansLog.Records;
using OrleansLog.Records.Buffers;
using OrleansLog.Records.Compression;
using static OrleansLog.Records.RecordBatchLayout;

namespace OrleansLog.Testing;

/// <summary>
/// Record batches a careless or hostile client could send: hand-encoded records inside a header whose
/// length and CRC32C are right, so only a walk of the records can refuse them. Each case is one record
/// set; <see cref="Valid"/> is the control that must be accepted.
/// </summary>
public static class ForgedBatches
{
    /// <summary>The cases, by name, with the error each must get.</summary>
    public static IReadOnlyList<(string Name, ErrorCode Error)> Cases { get; } =
    [
        ("lying record count", ErrorCode.InvalidRecord),
        ("records beyond the count", ErrorCode.InvalidRecord),
        ("truncated record", ErrorCode.CorruptMessage),
        ("bad varint", ErrorCode.CorruptMessage),
        ("undecompressable payload", ErrorCode.CorruptMessage),
        ("timestamp in the year 9999", ErrorCode.InvalidTimestamp),
        ("offset deltas out of order", ErrorCode.InvalidRecord),
        ("header without a key", ErrorCode.CorruptMessage),
    ];

    /// <summary>Two well-formed records stamped <paramref name="timestamp"/> (now, for a broker with Kafka's timestamp window).</summary>
    public static byte[] Valid(long timestamp) => Batch([.. Record(0, "a"), .. Record(1, "b")], count: 2, timestamp);

    public static byte[] Of(string name, long now) => name switch
    {
        "lying record count" => Batch([.. Record(0, "a"), .. Record(1, "b")], count: 3, now),
        "records beyond the count" => Batch([.. Record(0, "a"), .. Record(1, "b")], count: 1, now),
        "truncated record" => Batch([.. Record(0, "a"), .. Record(1, "b")[..^3]], count: 2, now),
        "bad varint" => Batch([.. Record(0, "a"), 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], count: 2, now),
        "undecompressable payload" => Batch("not a gzip stream at all"u8, count: 1, now, CompressionType.Gzip),
        "timestamp in the year 9999" => Batch([.. Record(0, "a")], count: 1, 253_402_300_799_000),
        "offset deltas out of order" => Batch([.. Record(1, "a"), .. Record(0, "b")], count: 2, now),
        "header without a key" => Batch([.. Record(0, "a", headerKeyLength: -1)], count: 1, now),
        _ => throw new ArgumentException($"no forged batch \"{name}\"", nameof(name)),
    };

    /// <summary>A gzip batch whose one record is <paramref name="valueBytes"/> zeros: a few kilobytes that decompress to far more.</summary>
    public static byte[] CompressionBomb(int valueBytes, long now)
    {
        var record = RecordWithValue(0, new byte[valueBytes]);
        using var compressed = new PooledBufferWriter();
        CompressionCodecs.Compress(CompressionType.Gzip, record, compressed);
        return Batch(compressed.WrittenSpan, count: 1, now, CompressionType.Gzip);
    }

    /// <summary>One record: offset delta, timestamp delta 0, no key, the value's UTF-8, and one header when <paramref name="headerKeyLength"/> is given.</summary>
    private static byte[] Record(int offsetDelta, string value, int? headerKeyLength = null)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(value);
        return RecordWithValue(offsetDelta, bytes, headerKeyLength);
    }

    private static byte[] RecordWithValue(int offsetDelta, byte[] value, int? headerKeyLength = null)
    {
        var body = new List<byte> { 0 };
        Varint(body, 0);
        Varint(body, offsetDelta);
        Varint(body, -1);
        Varint(body, value.Length);
        body.AddRange(value);
        if (headerKeyLength is { } keyLength)
        {
            Varint(body, 1);
            Varint(body, keyLength);
            Varint(body, -1);
        }
        else
        {
            Varint(body, 0);
        }

        var record = new List<byte>();
        Varint(record, body.Count);
        record.AddRange(body);
        return [.. record];
    }

    private static void Varint(List<byte> into, long value)
    {
        Span<byte> buffer = stackalloc byte[10];
        into.AddRange(buffer[..Records.Varint.WriteVarLong(buffer, value)].ToArray());
    }

    /// <summary>A v2 batch header for <paramref name="records"/> (already compressed when <paramref name="codec"/> says so), with a correct length and CRC.</summary>
    private static byte[] Batch(ReadOnlySpan<byte> records, int count, long timestamp, CompressionType codec = CompressionType.None)
    {
        var batch = new byte[HeaderSize + records.Length];
        var span = batch.AsSpan();
        BinaryPrimitives.WriteInt64BigEndian(span, 0);
        BinaryPrimitives.WriteInt32BigEndian(span[LengthOffset..], batch.Length - LogOverhead);
        BinaryPrimitives.WriteInt32BigEndian(span[PartitionLeaderEpochOffset..], NoPartitionLeaderEpoch);
        span[MagicOffset] = CurrentMagic;
        BinaryPrimitives.WriteInt16BigEndian(span[AttributesOffset..], (short)codec);
        BinaryPrimitives.WriteInt32BigEndian(span[LastOffsetDeltaOffset..], Math.Max(count - 1, 0));
        BinaryPrimitives.WriteInt64BigEndian(span[BaseTimestampOffset..], timestamp);
        BinaryPrimitives.WriteInt64BigEndian(span[MaxTimestampOffset..], timestamp);
        BinaryPrimitives.WriteInt64BigEndian(span[ProducerIdOffset..], NoProducerId);
        BinaryPrimitives.WriteInt16BigEndian(span[ProducerEpochOffset..], NoProducerEpoch);
        BinaryPrimitives.WriteInt32BigEndian(span[BaseSequenceOffset..], NoSequence);
        BinaryPrimitives.WriteInt32BigEndian(span[RecordCountOffset..], count);
        records.CopyTo(span[RecordsOffset..]);
        BinaryPrimitives.WriteUInt32BigEndian(span[CrcOffset..], Crc32C.Compute(span[AttributesOffset..]));
        return batch;
    }
}
