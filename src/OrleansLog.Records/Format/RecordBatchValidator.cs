using System.Buffers.Binary;
using OrleansLog.Records.Buffers;
using OrleansLog.Records.Compression;
using static OrleansLog.Records.RecordBatchLayout;

namespace OrleansLog.Records;

/// <summary>
/// Checks record batches before anything is written, each failure refused with its own Kafka error:
/// <see cref="ValidateOne"/> the framing, magic, CRC32C, codec, offset deltas and size from the header;
/// <see cref="ValidateRecords"/> every record of a produced batch (Kafka's LogValidator): a CRC proves only
/// that the producer sent these bytes, not that they are records. Stateless and thread-safe.
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

        // Transaction markers are written by the broker (the transaction coordinator's WriteTxnMarkers), never produced:
        // a client's marker could commit or abort another producer's transaction for every read_committed reader.
        if (producerBatch && header.IsControl)
        {
            throw new OrleansLogException(ErrorCode.InvalidRecord, "A produced batch may not be a control batch: transaction markers are written by the broker.");
        }

        // A transactional batch is checked by the partition leader against its transaction coordinator; without a producer
        // id it cannot belong to any transaction.
        if (header.IsTransactional && !header.HasProducerId)
        {
            throw new OrleansLogException(ErrorCode.InvalidRecord, "A transactional batch must carry a producer id.");
        }

        return size;
    }

    /// <summary>Walks the records of every batch in <paramref name="batches"/> (each already accepted by <see cref="ValidateOne"/>).</summary>
    public static void ValidateRecordsOfEach(ReadOnlySpan<byte> batches, in RecordLimits limits)
    {
        while (!batches.IsEmpty)
        {
            var size = RecordBatchHeader.ReadOffsetAndSize(batches).SizeInBytes;
            ValidateRecords(batches[..size], limits);
            batches = batches[size..];
        }
    }

    /// <summary>
    /// Walks every record of one produced batch that <see cref="ValidateOne"/> accepted: its records
    /// decompress (CORRUPT_MESSAGE otherwise) to at most <see cref="RecordLimits.MaxUncompressedBytes"/>;
    /// each record's length, attributes, timestamp and offset deltas, key, value and headers are well-formed
    /// varints and lengths inside the record (CORRUPT_MESSAGE); the offset deltas run 0, 1, 2... and the batch
    /// holds exactly its record count with nothing after the last (INVALID_RECORD); and with create time, the
    /// batch's and each record's timestamp lie within the limits' window (INVALID_TIMESTAMP).
    /// </summary>
    public static void ValidateRecords(ReadOnlySpan<byte> batch, in RecordLimits limits)
    {
        var header = RecordBatchHeader.Read(batch);
        var createTime = header.TimestampType == TimestampType.CreateTime;
        if (createTime && !limits.Allows(header.MaxTimestamp))
        {
            throw OutsideWindow(header.MaxTimestamp, limits);
        }

        var records = batch[RecordsOffset..header.SizeInBytes];
        if (header.Compression == CompressionType.None)
        {
            ValidateRecordSection(records, header, createTime, limits);
            return;
        }

        var max = limits.MaxUncompressedBytes;
        using var decompressed = new BoundedBufferWriter(max, () => new OrleansLogException(ErrorCode.InvalidRecord, $"The record batch decompresses to more than {max} bytes."));
        CompressionCodecs.Decompress(header.Compression, records, decompressed);
        ValidateRecordSection(decompressed.WrittenSpan, header, createTime, limits);
    }

    private static void ValidateRecordSection(ReadOnlySpan<byte> records, RecordBatchHeader header, bool createTime, in RecordLimits limits)
    {
        for (var index = 0; index < header.RecordCount; index++)
        {
            if (!Varint.TryReadVarInt(records, out var length, out var read) || length < 1 || length > records.Length - read)
            {
                throw records.IsEmpty
                    ? new OrleansLogException(ErrorCode.InvalidRecord, $"The record batch claims {header.RecordCount} records but holds {index}.")
                    : RecordReader.Corrupt("record length");
            }

            var body = records.Slice(read, length);
            records = records[(read + length)..];

            // attributes (unused in v2) | timestampDelta varlong | offsetDelta varint | key | value | headers
            var position = 1;
            if (!Varint.TryReadVarLong(body[position..], out var timestampDelta, out read))
            {
                throw RecordReader.Corrupt("record timestamp");
            }

            position += read;
            if (!Varint.TryReadVarInt(body[position..], out var offsetDelta, out read))
            {
                throw RecordReader.Corrupt("record offset delta");
            }

            position += read;
            if (offsetDelta != index)
            {
                throw new OrleansLogException(ErrorCode.InvalidRecord, $"Record {index} of the batch has offset delta {offsetDelta}; a produced batch numbers its records 0, 1, 2...");
            }

            if (createTime && !limits.Allows(header.BaseTimestamp + timestampDelta))
            {
                throw OutsideWindow(header.BaseTimestamp + timestampDelta, limits);
            }

            if (SkipBytes(body, ref position, nullable: true, "key") < 0 && limits.RequireKeys)
            {
                throw new OrleansLogException(ErrorCode.InvalidRecord, $"Record {index} of the batch has no key: a compacted topic cannot accept a record without a key.");
            }

            SkipBytes(body, ref position, nullable: true, "value");
            if (!Varint.TryReadVarInt(body[position..], out var headerCount, out read) || headerCount < 0)
            {
                throw RecordReader.Corrupt("header count");
            }

            position += read;
            for (var h = 0; h < headerCount; h++)
            {
                SkipBytes(body, ref position, nullable: false, "header key");
                SkipBytes(body, ref position, nullable: true, "header value");
            }

            if (position != body.Length)
            {
                throw RecordReader.Corrupt("record length (it does not end where its fields do)");
            }
        }

        if (!records.IsEmpty)
        {
            throw new OrleansLogException(ErrorCode.InvalidRecord, $"The record batch holds more than the {header.RecordCount} records it claims.");
        }
    }

    /// <summary>Skips a length-prefixed field and returns its length (-1 for null).</summary>
    private static int SkipBytes(ReadOnlySpan<byte> body, ref int position, bool nullable, string what)
    {
        if (!Varint.TryReadVarInt(body[position..], out var length, out var read) || length < (nullable ? -1 : 0) || length > body.Length - position - read)
        {
            throw RecordReader.Corrupt($"{what} length");
        }

        position += read + Math.Max(length, 0);
        return length;
    }

    private static OrleansLogException OutsideWindow(long timestamp, in RecordLimits limits) =>
        new(ErrorCode.InvalidTimestamp, $"Timestamp {timestamp} is outside the window the topic accepts around the broker's time {limits.NowMs} (message.timestamp.before.max.ms {limits.TimestampBeforeMaxMs}, message.timestamp.after.max.ms {limits.TimestampAfterMaxMs}).");
}
