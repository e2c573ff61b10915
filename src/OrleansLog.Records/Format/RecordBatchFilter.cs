using System.Buffers.Binary;
using OrleansLog.Records.Buffers;
using OrleansLog.Records.Compression;
using static OrleansLog.Records.RecordBatchLayout;

namespace OrleansLog.Records;

/// <summary>Whether the cleaner keeps <paramref name="record"/>.</summary>
public delegate bool RecordPredicate(in Record record);

/// <summary>
/// Rewrites one record batch keeping only the records a predicate keeps, as Kafka's log cleaner rewrites a batch: the
/// base offset, the last offset delta (so a producer's last sequence still follows from the base sequence), the
/// producer id, epoch and base sequence, the partition leader epoch, the attributes (codec, timestamp type,
/// transactional and control flags) and the base timestamp stay as they were; kept records are copied as they are
/// encoded, so their offsets and timestamps do not change and offsets have gaps where records went. The record count
/// and the max timestamp (for CreateTime) are those of the kept records, the records are compressed again with the
/// batch's codec, and the CRC is computed anew. With nothing kept the result is a batch of no records, which the caller
/// keeps when the batch carries a producer's last sequence and drops otherwise (its codec is none). Control batches (transaction markers,
/// issue 24) are the caller's to keep or drop; this class does not look inside them differently.
/// <para>Stateless and thread-safe; the destination is the caller's.</para>
/// </summary>
public static class RecordBatchFilter
{
    /// <summary>Writes the filtered batch to <paramref name="destination"/> and returns how many records it kept.</summary>
    public static int Filter(ReadOnlySpan<byte> batch, RecordPredicate keep, PooledBufferWriter destination)
    {
        using var records = new PooledBufferWriter(Math.Max(batch.Length, 256));
        var reader = new RecordReader(batch);
        var header = reader.Header;
        var kept = 0;
        var maxTimestamp = NoTimestamp;
        try
        {
            while (reader.TryReadNext(out var record))
            {
                if (keep(record))
                {
                    records.Write(reader.CurrentEncoded);
                    maxTimestamp = Math.Max(maxTimestamp, record.Timestamp);
                    kept++;
                }
            }
        }
        finally
        {
            reader.Dispose();
        }

        var start = destination.WrittenCount;
        destination.GetSpan(HeaderSize)[..HeaderSize].Clear();
        destination.Advance(HeaderSize);
        if (kept > 0)
        {
            CompressionCodecs.Compress(header.Compression, records.WrittenSpan, destination);
        }

        var written = destination.WrittenSpanForUpdate[start..];
        batch[..HeaderSize].CopyTo(written);
        BinaryPrimitives.WriteInt32BigEndian(written[LengthOffset..], written.Length - LogOverhead);
        if (header.TimestampType == TimestampType.CreateTime)
        {
            BinaryPrimitives.WriteInt64BigEndian(written[MaxTimestampOffset..], kept > 0 ? maxTimestamp : header.BaseTimestamp);
        }

        if (kept == 0)
        {
            // An empty batch has no records to compress: its codec is none (Kafka writes empty batches so).
            BinaryPrimitives.WriteInt16BigEndian(written[AttributesOffset..], (short)(header.Attributes & ~CompressionMask));
        }

        BinaryPrimitives.WriteInt32BigEndian(written[RecordCountOffset..], kept);
        BinaryPrimitives.WriteUInt32BigEndian(written[CrcOffset..], Crc32C.Compute(written[AttributesOffset..]));
        return kept;
    }
}
