using System.Buffers.Binary;

namespace OrleansLog.Records;

/// <summary>Which way a transaction ended (the type in a control record's key).</summary>
public enum ControlRecordType : short
{
    Abort = 0,
    Commit = 1,
}

/// <summary>
/// A transaction marker as Kafka writes it into each partition of a transaction: a control batch (attributes
/// transactional and control, the producer's id and epoch, no sequence) holding one record whose key is the control
/// record key (version 0, type) and whose value is the end-transaction marker (version 0, the coordinator's epoch).
/// Consumers never see these records; read_committed readers use them to drop aborted data. A plain value.
/// </summary>
public readonly record struct TransactionMarker(ControlRecordType Type, int CoordinatorEpoch)
{
    private const short Version = 0;

    /// <summary>The marker as a control batch from producer <paramref name="producerId"/> at <paramref name="producerEpoch"/> (base offset 0: the log stamps it).</summary>
    public byte[] ToBatch(long producerId, short producerEpoch, long timestamp)
    {
        Span<byte> key = stackalloc byte[4];
        BinaryPrimitives.WriteInt16BigEndian(key, Version);
        BinaryPrimitives.WriteInt16BigEndian(key[2..], (short)Type);
        Span<byte> value = stackalloc byte[6];
        BinaryPrimitives.WriteInt16BigEndian(value, Version);
        BinaryPrimitives.WriteInt32BigEndian(value[2..], CoordinatorEpoch);
        using var builder = new RecordBatchBuilder(CompressionType.None, 128)
        {
            ProducerId = producerId,
            ProducerEpoch = producerEpoch,
            IsTransactional = true,
            IsControl = true,
        };
        builder.Add(timestamp, key, hasKey: true, value, hasValue: true);
        return builder.Build().ToArray();
    }

    /// <summary>
    /// The marker in <paramref name="batch"/>, or false when it is not a control batch holding one well-formed marker
    /// (Kafka reads unknown control types as neither commit nor abort; so does this).
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> batch, out TransactionMarker marker)
    {
        marker = default;
        var header = RecordBatchHeader.Read(batch);
        if (!header.IsControl || header.RecordCount != 1)
        {
            return false;
        }

        var reader = new RecordReader(batch[..header.SizeInBytes]);
        try
        {
            if (!reader.TryReadNext(out var record) || !record.HasKey || !record.HasValue || record.Key.Length < 4 || record.Value.Length < 6)
            {
                return false;
            }

            var type = BinaryPrimitives.ReadInt16BigEndian(record.Key[2..]);
            if (type is not ((short)ControlRecordType.Abort or (short)ControlRecordType.Commit))
            {
                return false;
            }

            marker = new TransactionMarker((ControlRecordType)type, BinaryPrimitives.ReadInt32BigEndian(record.Value[2..]));
            return true;
        }
        finally
        {
            reader.Dispose();
        }
    }
}
