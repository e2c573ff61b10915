using System.Buffers.Binary;
using static OrleansLog.Records.RecordBatchLayout;

namespace OrleansLog.Records;

/// <summary>
/// Checks record batches before anything is written: framing, magic, CRC32C, codec, offset deltas and
/// size, each refused with its own Kafka error. Only headers are read (records stay compressed); the
/// CRC covers the rest. Stateless and thread-safe.
/// </summary>
public static class RecordBatchValidator
{
    /// <summary>
    /// Validates every batch in <paramref name="batches"/> (one or more, back to back) and returns how many
    /// there are. <paramref name="producerBatch"/> demands what producers always send: at least one record
    /// and offset deltas 0..count-1 (replicated and compacted batches may have gaps).
    /// </summary>
    public static int Validate(ReadOnlySpan<byte> batches, int maxBatchBytes, bool producerBatch)
    {
        if (batches.IsEmpty)
        {
            throw new OrleansLogException(ErrorCode.InvalidRecord, "The request carries no record batch.");
        }

        var count = 0;
        while (!batches.IsEmpty)
        {
            var size = ValidateOne(batches, maxBatchBytes, producerBatch);
            batches = batches[size..];
            count++;
        }

        return count;
    }

    /// <summary>Validates the first batch of <paramref name="bytes"/> and returns its size in bytes.</summary>
    public static int ValidateOne(ReadOnlySpan<byte> bytes, int maxBatchBytes, bool producerBatch)
    {
        if (bytes.Length < HeaderSize)
        {
            throw new OrleansLogException(ErrorCode.CorruptMessage, $"A record batch needs at least {HeaderSize} bytes; {bytes.Length} remain.");
        }

        var length = BinaryPrimitives.ReadInt32BigEndian(bytes[LengthOffset..]);
        if (length < HeaderSize - LogOverhead || length > bytes.Length - LogOverhead)
        {
            throw new OrleansLogException(ErrorCode.CorruptMessage, $"Record batch length {length} does not fit the {bytes.Length} bytes received.");
        }

        var size = length + LogOverhead;
        if (bytes[MagicOffset] != CurrentMagic)
        {
            throw new OrleansLogException(ErrorCode.UnsupportedForMessageFormat, $"Record batch magic {bytes[MagicOffset]} is not supported; only magic 2.");
        }

        if (size > maxBatchBytes)
        {
            throw new OrleansLogException(ErrorCode.MessageTooLarge, $"The record batch is {size} bytes, larger than max.message.bytes {maxBatchBytes}.");
        }

        var batch = bytes[..size];
        var crc = BinaryPrimitives.ReadUInt32BigEndian(batch[CrcOffset..]);
        if (Crc32C.Compute(batch[AttributesOffset..]) != crc)
        {
            throw new OrleansLogException(ErrorCode.CorruptMessage, "The record batch fails its CRC32C check.");
        }

        var header = RecordBatchHeader.Read(batch);
        if (header.Compression > CompressionType.Zstd)
        {
            throw new OrleansLogException(ErrorCode.UnsupportedCompressionType, $"Compression codec {(int)header.Compression} is not one of none, gzip, snappy, lz4, zstd.");
        }

        if (header.LastOffsetDelta < 0 || header.RecordCount < 0)
        {
            throw new OrleansLogException(ErrorCode.InvalidRecord, "The record batch has a negative record count or last offset delta.");
        }

        if (producerBatch && (header.RecordCount == 0 || header.LastOffsetDelta != header.RecordCount - 1))
        {
            throw new OrleansLogException(ErrorCode.InvalidRecord, $"A produced batch must hold offset deltas 0..{header.RecordCount - 1}; its last offset delta is {header.LastOffsetDelta}.");
        }

        return size;
    }
}
