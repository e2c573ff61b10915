using System.Buffers.Binary;
using OrleansLog.Storage.Segments;
using static OrleansLog.Records.RecordBatchLayout;

namespace OrleansLog.Storage.Logs;

/// <summary>
/// Prepares batches for one gathered write without touching the caller's bytes. A leader's batches get
/// their assigned base offset and leader epoch stamped on a copy of each batch's first bytes (base offset
/// through magic, which the CRC does not cover), and the write is gathered as that copy plus the rest of
/// the batch; a follower's batches go as they came. Not thread-safe: the log's writer uses it under its
/// write lock, and a gathered list is valid until the next call.
/// </summary>
internal sealed class BatchStamper
{
    private const int StampedPrefix = MagicOffset + 1;

    private readonly List<ReadOnlyMemory<byte>> _gather = [];
    private byte[] _stamps = new byte[StampedPrefix * 4];

    public List<ReadOnlyMemory<byte>> Gather(ReadOnlyMemory<byte> batches, ReadOnlySpan<BatchPlacement> placements, int leaderEpoch, bool assignOffsets)
    {
        _gather.Clear();
        if (!assignOffsets)
        {
            _gather.Add(batches);
            return _gather;
        }

        if (_stamps.Length < placements.Length * StampedPrefix)
        {
            _stamps = new byte[placements.Length * StampedPrefix];
        }

        // Stamp a copy of each header's first bytes rather than the caller's buffer: with [Immutable]
        // grain payloads the caller may share it.
        var position = 0;
        for (var i = 0; i < placements.Length; i++)
        {
            var stamp = _stamps.AsMemory(i * StampedPrefix, StampedPrefix);
            batches.Span.Slice(position, StampedPrefix).CopyTo(stamp.Span);
            BinaryPrimitives.WriteInt64BigEndian(stamp.Span, placements[i].BaseOffset);
            if (leaderEpoch != NoPartitionLeaderEpoch)
            {
                BinaryPrimitives.WriteInt32BigEndian(stamp.Span[PartitionLeaderEpochOffset..], leaderEpoch);
            }

            _gather.Add(stamp);
            _gather.Add(batches.Slice(position + StampedPrefix, placements[i].SizeInBytes - StampedPrefix));
            position += placements[i].SizeInBytes;
        }

        return _gather;
    }
}
