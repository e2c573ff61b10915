using System.Buffers.Binary;
using System.Text;
using OrleansLog.Records.Buffers;
using OrleansLog.Records.Compression;
using static OrleansLog.Records.RecordBatchLayout;

namespace OrleansLog.Records;

/// <summary>
/// Encodes records into one Kafka v2 record batch: records are varint-encoded into a pooled buffer
/// as they are added, then <see cref="Build"/> compresses them behind the 61-byte header and fills
/// in the CRC32C. Reusable through <see cref="Reset"/>; not thread-safe.
/// </summary>
public sealed class RecordBatchBuilder : IDisposable
{
    private readonly PooledBufferWriter _records;
    private readonly PooledBufferWriter _batch;
    private long _baseTimestamp;
    private long _maxTimestamp;
    private int _count;

    public RecordBatchBuilder(CompressionType compression = CompressionType.None, int initialCapacity = 16 * 1024)
    {
        _records = new PooledBufferWriter(initialCapacity);
        _batch = new PooledBufferWriter(initialCapacity + HeaderSize);
        Compression = compression;
        Reset();
    }

    public CompressionType Compression { get; set; }

    public long ProducerId { get; set; } = NoProducerId;

    public short ProducerEpoch { get; set; } = NoProducerEpoch;

    public int BaseSequence { get; set; } = NoSequence;

    public bool IsTransactional { get; set; }

    /// <summary>A control batch (a transaction marker, see <see cref="TransactionMarker"/>): written by the broker only.</summary>
    public bool IsControl { get; set; }

    public int RecordCount => _count;

    /// <summary>The size the batch has before compression: a bound on what <see cref="Build"/> returns for codecs that help.</summary>
    public int UncompressedSizeInBytes => HeaderSize + _records.WrittenCount;

    /// <summary>Empties the builder for a new batch and clears producer identity.</summary>
    public void Reset()
    {
        _records.Clear();
        _batch.Clear();
        _count = 0;
        _baseTimestamp = NoTimestamp;
        _maxTimestamp = NoTimestamp;
        ProducerId = NoProducerId;
        ProducerEpoch = NoProducerEpoch;
        BaseSequence = NoSequence;
        IsTransactional = false;
        IsControl = false;
    }

    /// <summary>Adds a record; a null key or value is written as Kafka's null (length -1).</summary>
    public void Add(long timestamp, byte[]? key, byte[]? value, params ReadOnlySpan<RecordHeader> headers) =>
        Add(timestamp, key, key is not null, value, value is not null, headers);

    /// <summary>Adds a record from spans; <paramref name="hasKey"/> and <paramref name="hasValue"/> tell null from empty.</summary>
    public void Add(long timestamp, ReadOnlySpan<byte> key, bool hasKey, ReadOnlySpan<byte> value, bool hasValue, ReadOnlySpan<RecordHeader> headers = default)
    {
        if (_count == 0)
        {
            _baseTimestamp = timestamp;
        }

        _maxTimestamp = Math.Max(_maxTimestamp, timestamp);
        var timestampDelta = timestamp - _baseTimestamp;
        var offsetDelta = _count;

        var bodySize = 1 + Varint.SizeOfVarLong(timestampDelta) + Varint.SizeOfVarInt(offsetDelta)
            + SizeOfBytes(key.Length, hasKey) + SizeOfBytes(value.Length, hasValue) + Varint.SizeOfVarInt(headers.Length);
        foreach (var header in headers)
        {
            var keyBytes = Encoding.UTF8.GetByteCount(header.Key);
            bodySize += SizeOfBytes(keyBytes, true) + SizeOfBytes(header.Value?.Length ?? 0, header.Value.HasValue);
        }

        var span = _records.GetSpan(Varint.MaxVarIntBytes + bodySize);
        var position = Varint.WriteVarInt(span, bodySize);
        span[position++] = 0;
        position += Varint.WriteVarLong(span[position..], timestampDelta);
        position += Varint.WriteVarInt(span[position..], offsetDelta);
        position += WriteBytes(span[position..], key, hasKey);
        position += WriteBytes(span[position..], value, hasValue);
        position += Varint.WriteVarInt(span[position..], headers.Length);
        foreach (var header in headers)
        {
            var keyBytes = Encoding.UTF8.GetByteCount(header.Key);
            position += Varint.WriteVarInt(span[position..], keyBytes);
            position += Encoding.UTF8.GetBytes(header.Key, span[position..]);
            position += WriteBytes(span[position..], header.Value.HasValue ? header.Value.Value.Span : default, header.Value.HasValue);
        }

        _records.Advance(position);
        _count++;
    }

    /// <summary>
    /// Encodes the batch with base offset 0 (the log stamps the real one). The memory stays valid
    /// until the next <see cref="Reset"/>, <see cref="Build"/> or <see cref="Dispose"/>.
    /// </summary>
    public ReadOnlyMemory<byte> Build()
    {
        if (_count == 0)
        {
            throw new InvalidOperationException("A record batch needs at least one record.");
        }

        _batch.Clear();
        _batch.GetSpan(HeaderSize)[..HeaderSize].Clear();
        _batch.Advance(HeaderSize);
        CompressionCodecs.Compress(Compression, _records.WrittenSpan, _batch);

        var batch = _batch.WrittenSpanForUpdate;
        BinaryPrimitives.WriteInt64BigEndian(batch[BaseOffsetOffset..], 0);
        BinaryPrimitives.WriteInt32BigEndian(batch[LengthOffset..], batch.Length - LogOverhead);
        BinaryPrimitives.WriteInt32BigEndian(batch[PartitionLeaderEpochOffset..], NoPartitionLeaderEpoch);
        batch[MagicOffset] = CurrentMagic;
        var attributes = (short)((int)Compression | (IsTransactional ? TransactionalMask : 0) | (IsControl ? ControlMask : 0));
        BinaryPrimitives.WriteInt16BigEndian(batch[AttributesOffset..], attributes);
        BinaryPrimitives.WriteInt32BigEndian(batch[LastOffsetDeltaOffset..], _count - 1);
        BinaryPrimitives.WriteInt64BigEndian(batch[BaseTimestampOffset..], _baseTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(batch[MaxTimestampOffset..], _maxTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(batch[ProducerIdOffset..], ProducerId);
        BinaryPrimitives.WriteInt16BigEndian(batch[ProducerEpochOffset..], ProducerEpoch);
        BinaryPrimitives.WriteInt32BigEndian(batch[BaseSequenceOffset..], BaseSequence);
        BinaryPrimitives.WriteInt32BigEndian(batch[RecordCountOffset..], _count);
        BinaryPrimitives.WriteUInt32BigEndian(batch[CrcOffset..], Crc32C.Compute(batch[AttributesOffset..]));
        return _batch.WrittenMemory;
    }

    public void Dispose()
    {
        _records.Dispose();
        _batch.Dispose();
    }

    private static int SizeOfBytes(int length, bool present) => present ? Varint.SizeOfVarInt(length) + length : 1;

    private static int WriteBytes(Span<byte> destination, ReadOnlySpan<byte> bytes, bool present)
    {
        if (!present)
        {
            return Varint.WriteVarInt(destination, -1);
        }

        var written = Varint.WriteVarInt(destination, bytes.Length);
        bytes.CopyTo(destination[written..]);
        return written + bytes.Length;
    }
}
