using System.Buffers.Binary;
using OrleansLog.Records;
using OrleansLog.Storage.Segments;
using static OrleansLog.Records.RecordBatchLayout;

namespace OrleansLog.Storage.Logs;

/// <summary>
/// Prepares batches for one gathered write without touching the caller's bytes. A leader's batches get
/// their assigned base offset and leader epoch stamped on a copy of each batch's first bytes (base offset
/// through magic, which the CRC does not cover), and the write is gathered as that copy plus the rest of
/// the batch; a follower's batches go as they came. Under <c>LogAppendTime</c> the copy is the whole
/// header: the timestamp-type bit and the max timestamp change too, and the CRC is recomputed over the
/// copy and the untouched records (Kafka's rule: a reader takes every record's time from the max timestamp).
/// Not thread-safe: the log's writer uses it under its write lock, and a gathered list is valid until the next call.
/// </summary>
internal sealed class BatchStamper
{
    private const int StampedPrefix = MagicOffset + 1;

    private readonly List<ReadOnlyMemory<byte>> _gather = [];
    private byte[] _stamps = new byte[HeaderSize * 4];

    /// <summary>Gathers the write; <paramref name="logAppendTime"/> is the time to stamp, or <see cref="NoTimestamp"/> to keep the producer's.</summary>
    public List<ReadOnlyMemory<byte>> Gather(ReadOnlyMemory<byte> batches, ReadOnlySpan<BatchPlacement> placements, int leaderEpoch, bool assignOffsets, long logAppendTime)
    {
        _gather.Clear();
        if (!assignOffsets)
        {
            _gather.Add(batches);
            return _gather;
        }

        var stamped = logAppendTime == NoTimestamp ? StampedPrefix : HeaderSize;
        if (_stamps.Length < placements.Length * stamped)
        {
            _stamps = new byte[placements.Length * stamped];
        }

        // Stamp a copy of each header's first bytes rather than the caller's buffer: with [Immutable]
        // grain payloads the caller may share it.
        var position = 0;
        for (var i = 0; i < placements.Length; i++)
        {
            var batch = batches.Slice(position, placements[i].SizeInBytes);
            var stamp = _stamps.AsMemory(i * stamped, stamped);
            batch.Span[..stamped].CopyTo(stamp.Span);
            BinaryPrimitives.WriteInt64BigEndian(stamp.Span, placements[i].BaseOffset);
            if (leaderEpoch != NoPartitionLeaderEpoch)
            {
                BinaryPrimitives.WriteInt32BigEndian(stamp.Span[PartitionLeaderEpochOffset..], leaderEpoch);
            }

            if (logAppendTime != NoTimestamp)
            {
                StampLogAppendTime(stamp.Span, batch.Span[HeaderSize..], logAppendTime);
            }

            _gather.Add(stamp);
            _gather.Add(batch[stamped..]);
            position += placements[i].SizeInBytes;
        }

        return _gather;
    }

    private static void StampLogAppendTime(Span<byte> header, ReadOnlySpan<byte> records, long time)
    {
        var attributes = BinaryPrimitives.ReadInt16BigEndian(header[AttributesOffset..]);
        BinaryPrimitives.WriteInt16BigEndian(header[AttributesOffset..], (short)(attributes | TimestampTypeMask));
        BinaryPrimitives.WriteInt64BigEndian(header[MaxTimestampOffset..], time);
        BinaryPrimitives.WriteUInt32BigEndian(header[CrcOffset..], Crc32C.Compute(header[AttributesOffset..], records));
    }
}
