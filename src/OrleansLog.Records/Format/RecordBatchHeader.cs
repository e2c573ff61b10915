using System.Buffers.Binary;
using static OrleansLog.Records.RecordBatchLayout;

namespace OrleansLog.Records;

/// <summary>
/// The decoded fixed header of one record batch (see <see cref="RecordBatchLayout"/>). A plain value:
/// reading it copies 61 bytes into fields and allocates nothing.
/// </summary>
public readonly record struct RecordBatchHeader(
    long BaseOffset,
    int BatchLength,
    int PartitionLeaderEpoch,
    byte Magic,
    uint Crc,
    short Attributes,
    int LastOffsetDelta,
    long BaseTimestamp,
    long MaxTimestamp,
    long ProducerId,
    short ProducerEpoch,
    int BaseSequence,
    int RecordCount)
{
    /// <summary>Bytes the whole batch occupies on disk and on the wire.</summary>
    public int SizeInBytes => LogOverhead + BatchLength;

    public long LastOffset => BaseOffset + LastOffsetDelta;

    /// <summary>The offset after this batch.</summary>
    public long NextOffset => LastOffset + 1;

    public CompressionType Compression => (CompressionType)(Attributes & CompressionMask);

    public TimestampType TimestampType => (Attributes & TimestampTypeMask) != 0 ? TimestampType.LogAppendTime : TimestampType.CreateTime;

    public bool IsTransactional => (Attributes & TransactionalMask) != 0;

    public bool IsControl => (Attributes & ControlMask) != 0;

    public bool HasProducerId => ProducerId >= 0;

    /// <summary>The sequence of the last record, wrapping at int.MaxValue as Kafka does.</summary>
    public int LastSequence => BaseSequence < 0 ? NoSequence : AddSequence(BaseSequence, LastOffsetDelta);

    /// <summary>A producer sequence number <paramref name="count"/> records later, wrapping from int.MaxValue to 0 as Kafka does.</summary>
    public static int AddSequence(int sequence, int count) => (int)(((long)sequence + count) % ((long)int.MaxValue + 1));

    /// <summary>Reads the header from the first <see cref="HeaderSize"/> bytes of <paramref name="batch"/>.</summary>
    public static RecordBatchHeader Read(ReadOnlySpan<byte> batch)
    {
        if (batch.Length < HeaderSize)
        {
            throw new OrleansLogException(ErrorCode.CorruptMessage, $"A record batch needs at least {HeaderSize} bytes; got {batch.Length}.");
        }

        return new RecordBatchHeader(
            BinaryPrimitives.ReadInt64BigEndian(batch[BaseOffsetOffset..]),
            BinaryPrimitives.ReadInt32BigEndian(batch[LengthOffset..]),
            BinaryPrimitives.ReadInt32BigEndian(batch[PartitionLeaderEpochOffset..]),
            batch[MagicOffset],
            BinaryPrimitives.ReadUInt32BigEndian(batch[CrcOffset..]),
            BinaryPrimitives.ReadInt16BigEndian(batch[AttributesOffset..]),
            BinaryPrimitives.ReadInt32BigEndian(batch[LastOffsetDeltaOffset..]),
            BinaryPrimitives.ReadInt64BigEndian(batch[BaseTimestampOffset..]),
            BinaryPrimitives.ReadInt64BigEndian(batch[MaxTimestampOffset..]),
            BinaryPrimitives.ReadInt64BigEndian(batch[ProducerIdOffset..]),
            BinaryPrimitives.ReadInt16BigEndian(batch[ProducerEpochOffset..]),
            BinaryPrimitives.ReadInt32BigEndian(batch[BaseSequenceOffset..]),
            BinaryPrimitives.ReadInt32BigEndian(batch[RecordCountOffset..]));
    }

    /// <summary>Reads only the base offset and length: what walking a log needs.</summary>
    public static (long BaseOffset, int SizeInBytes) ReadOffsetAndSize(ReadOnlySpan<byte> batch) =>
        (BinaryPrimitives.ReadInt64BigEndian(batch), LogOverhead + BinaryPrimitives.ReadInt32BigEndian(batch[LengthOffset..]));

    /// <summary>Overwrites the base offset in place (outside the CRC's range).</summary>
    public static void StampBaseOffset(Span<byte> batch, long baseOffset) =>
        BinaryPrimitives.WriteInt64BigEndian(batch[BaseOffsetOffset..], baseOffset);

    /// <summary>Overwrites the partition leader epoch in place (outside the CRC's range).</summary>
    public static void StampPartitionLeaderEpoch(Span<byte> batch, int epoch) =>
        BinaryPrimitives.WriteInt32BigEndian(batch[PartitionLeaderEpochOffset..], epoch);
}
