namespace OrleansLog.Records;

/// <summary>
/// Byte layout of Kafka's record batch v2 (magic 2), all big-endian. The CRC32C covers bytes from
/// <see cref="AttributesOffset"/> to the end, so the broker may stamp the base offset and the
/// partition leader epoch without recomputing it.
/// <code>
///  0 baseOffset int64 | 8 batchLength int32 | 12 partitionLeaderEpoch int32 | 16 magic int8
/// 17 crc uint32 | 21 attributes int16 | 23 lastOffsetDelta int32 | 27 baseTimestamp int64
/// 35 maxTimestamp int64 | 43 producerId int64 | 51 producerEpoch int16 | 53 baseSequence int32
/// 57 recordCount int32 | 61 records...
/// </code>
/// </summary>
public static class RecordBatchLayout
{
    public const int BaseOffsetOffset = 0;
    public const int LengthOffset = 8;
    public const int PartitionLeaderEpochOffset = 12;
    public const int MagicOffset = 16;
    public const int CrcOffset = 17;
    public const int AttributesOffset = 21;
    public const int LastOffsetDeltaOffset = 23;
    public const int BaseTimestampOffset = 27;
    public const int MaxTimestampOffset = 35;
    public const int ProducerIdOffset = 43;
    public const int ProducerEpochOffset = 51;
    public const int BaseSequenceOffset = 53;
    public const int RecordCountOffset = 57;
    public const int RecordsOffset = 61;

    /// <summary>Size of the header in front of the records.</summary>
    public const int HeaderSize = RecordsOffset;

    /// <summary>Bytes before the batch length's range starts: baseOffset and batchLength (Kafka's LOG_OVERHEAD).</summary>
    public const int LogOverhead = 12;

    /// <summary>The only record batch format OrleansLog stores.</summary>
    public const byte CurrentMagic = 2;

    public const int CompressionMask = 0x07;
    public const int TimestampTypeMask = 0x08;
    public const int TransactionalMask = 0x10;
    public const int ControlMask = 0x20;
    public const int DeleteHorizonMask = 0x40;

    public const long NoProducerId = -1;
    public const short NoProducerEpoch = -1;
    public const int NoSequence = -1;
    public const int NoPartitionLeaderEpoch = -1;
    public const long NoTimestamp = -1;
}
