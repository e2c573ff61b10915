using OrleansLog.Records.Buffers;
using OrleansLog.Records.Compression;

namespace OrleansLog.Records;

/// <summary>
/// Decodes the records of one batch in order. A compressed batch is decompressed once into a pooled
/// buffer that <see cref="Dispose"/> returns; records are views into it, so nothing is allocated per
/// record. Record layout (Kafka v2): <c>length varint | attributes int8 | timestampDelta varlong |
/// offsetDelta varint | keyLength varint | key | valueLength varint | value | headerCount varint | headers</c>.
/// </summary>
public ref struct RecordReader
{
    private readonly RecordBatchHeader _header;
    private readonly PooledBufferWriter? _decompressed;
    private ReadOnlySpan<byte> _remaining;
    private ReadOnlySpan<byte> _encoded;
    private int _read;

    public RecordReader(ReadOnlySpan<byte> batch)
    {
        _header = RecordBatchHeader.Read(batch);
        if (_header.Magic != RecordBatchLayout.CurrentMagic)
        {
            throw new OrleansLogException(ErrorCode.UnsupportedForMessageFormat, $"Record batch magic {_header.Magic} is not supported; only magic 2.");
        }

        if (_header.SizeInBytes > batch.Length || _header.SizeInBytes < RecordBatchLayout.HeaderSize)
        {
            throw Corrupt("batch length");
        }

        var records = batch[RecordBatchLayout.RecordsOffset.._header.SizeInBytes];
        if (_header.Compression == CompressionType.None)
        {
            _remaining = records;
        }
        else
        {
            _decompressed = new PooledBufferWriter(Math.Max(records.Length * 4, 4096));
            CompressionCodecs.Decompress(_header.Compression, records, _decompressed);
            _remaining = _decompressed.WrittenSpan;
        }
    }

    public readonly RecordBatchHeader Header => _header;

    /// <summary>
    /// The last record read as it is encoded in the (decompressed) batch, length prefix included: the cleaner copies a
    /// record it keeps as these bytes, whose timestamp and offset deltas hold as long as the batch keeps its base offset
    /// and base timestamp.
    /// </summary>
    public readonly ReadOnlySpan<byte> CurrentEncoded => _encoded;

    /// <summary>Decodes the next record; false once all <see cref="RecordBatchHeader.RecordCount"/> records were read.</summary>
    public bool TryReadNext(out Record record)
    {
        if (_read >= _header.RecordCount)
        {
            record = default;
            return false;
        }

        if (!Varint.TryReadVarInt(_remaining, out var length, out var read) || length < 0 || length > _remaining.Length - read)
        {
            throw Corrupt("record length");
        }

        var body = _remaining.Slice(read, length);
        _encoded = _remaining[..(read + length)];
        _remaining = _remaining[(read + length)..];
        _read++;

        var position = 1; // attributes: unused in v2
        if (body.IsEmpty ||
            !Varint.TryReadVarLong(body[position..], out var timestampDelta, out read))
        {
            throw Corrupt("record timestamp");
        }

        position += read;
        if (!Varint.TryReadVarInt(body[position..], out var offsetDelta, out read))
        {
            throw Corrupt("record offset delta");
        }

        position += read;
        var key = ReadBytes(body, ref position, out var hasKey, "key");
        var value = ReadBytes(body, ref position, out var hasValue, "value");
        if (!Varint.TryReadVarInt(body[position..], out var headerCount, out read) || headerCount < 0)
        {
            throw Corrupt("header count");
        }

        position += read;
        var timestamp = _header.TimestampType == TimestampType.LogAppendTime ? _header.MaxTimestamp : _header.BaseTimestamp + timestampDelta;
        record = new Record(_header.BaseOffset + offsetDelta, timestamp, key, hasKey, value, hasValue, headerCount, body[position..]);
        return true;
    }

    public readonly void Dispose() => _decompressed?.Dispose();

    internal static OrleansLogException Corrupt(string what) =>
        new(ErrorCode.CorruptMessage, $"A record in the batch has a malformed {what}.");

    private static ReadOnlySpan<byte> ReadBytes(ReadOnlySpan<byte> body, scoped ref int position, out bool present, string what)
    {
        if (!Varint.TryReadVarInt(body[position..], out var length, out var read) || length < -1 || length > body.Length - position - read)
        {
            throw Corrupt($"{what} length");
        }

        position += read;
        present = length >= 0;
        if (length <= 0)
        {
            return default;
        }

        var bytes = body.Slice(position, length);
        position += length;
        return bytes;
    }
}
