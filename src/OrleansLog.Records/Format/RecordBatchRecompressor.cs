using System.Buffers.Binary;
using OrleansLog.Records.Buffers;
using OrleansLog.Records.Compression;
using static OrleansLog.Records.RecordBatchLayout;

namespace OrleansLog.Records;

/// <summary>
/// Re-encodes a batch's records in another codec (a topic's <c>compression.type</c>): the header is kept
/// (offsets, timestamps, producer id and sequence, record count), the codec bits of the attributes change,
/// the length and CRC32C are recomputed. Records are not decoded one by one: the section is decompressed
/// whole and compressed whole. Stateless and thread-safe.
/// </summary>
public static class RecordBatchRecompressor
{
    /// <summary>
    /// Appends <paramref name="batch"/> (one whole, validated batch) to <paramref name="destination"/> in
    /// <paramref name="target"/>'s codec. A record section that decompresses past <paramref name="maxUncompressedBytes"/> is INVALID_RECORD.
    /// </summary>
    public static void Recompress(ReadOnlySpan<byte> batch, CompressionType target, int maxUncompressedBytes, PooledBufferWriter destination)
    {
        var header = RecordBatchHeader.Read(batch);
        var records = batch[RecordsOffset..header.SizeInBytes];
        var start = destination.WrittenCount;
        destination.Write(batch[..RecordsOffset]);
        if (header.Compression == CompressionType.None)
        {
            CompressionCodecs.Compress(target, records, destination);
        }
        else
        {
            using var plain = new BoundedBufferWriter(maxUncompressedBytes, () => new OrleansLogException(ErrorCode.InvalidRecord, $"The record batch decompresses to more than {maxUncompressedBytes} bytes."));
            CompressionCodecs.Decompress(header.Compression, records, plain);
            CompressionCodecs.Compress(target, plain.WrittenSpan, destination);
        }

        var written = destination.WrittenSpanForUpdate[start..];
        BinaryPrimitives.WriteInt32BigEndian(written[LengthOffset..], written.Length - LogOverhead);
        var attributes = (short)((header.Attributes & ~CompressionMask) | (int)target);
        BinaryPrimitives.WriteInt16BigEndian(written[AttributesOffset..], attributes);
        BinaryPrimitives.WriteUInt32BigEndian(written[CrcOffset..], Crc32C.Compute(written[AttributesOffset..]));
    }
}
