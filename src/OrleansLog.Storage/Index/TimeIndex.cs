using System.Buffers.Binary;
using OrleansLog.Storage.IO;

namespace OrleansLog.Storage.Index;

/// <summary>
/// The sparse time index of one segment: entries map the largest timestamp seen so far in the segment
/// to the (relative) base offset of the batch that carried it. Timestamps in a log need not increase,
/// so an entry (T, o) promises only that no record before o has a timestamp above T; both fields
/// increase strictly. Stored like <see cref="OffsetIndex"/>, with 12-byte entries
/// <c>timestamp int64 | relativeOffset int32</c>. Not thread-safe: the owning segment guards it.
/// </summary>
internal sealed class TimeIndex
{
    internal const uint Magic = 0x4F4C5458; // "OLTX"
    internal const ushort Version = 1;
    private const int EntrySize = 12;

    private long[] _timestamps = new long[16];
    private int[] _relativeOffsets = new int[16];

    public int Count { get; private set; }

    public long LastTimestamp => Count == 0 ? -1 : _timestamps[Count - 1];

    public void MaybeAppend(long timestamp, int relativeOffset)
    {
        if (Count > 0 && (timestamp <= _timestamps[Count - 1] || relativeOffset <= _relativeOffsets[Count - 1]))
        {
            return;
        }

        if (Count == _timestamps.Length)
        {
            Array.Resize(ref _timestamps, Count * 2);
            Array.Resize(ref _relativeOffsets, Count * 2);
        }

        _timestamps[Count] = timestamp;
        _relativeOffsets[Count] = relativeOffset;
        Count++;
    }

    /// <summary>
    /// A relative offset from which a scan finds the first record with timestamp at least
    /// <paramref name="timestamp"/>: the entry with the largest timestamp strictly below it, or 0.
    /// </summary>
    public int Lookup(long timestamp)
    {
        int low = 0, high = Count - 1, found = -1;
        while (low <= high)
        {
            var mid = (low + high) >>> 1;
            if (_timestamps[mid] < timestamp)
            {
                found = mid;
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }

        return found < 0 ? 0 : _relativeOffsets[found];
    }

    /// <summary>Drops entries whose offset is at or after <paramref name="relativeOffset"/>.</summary>
    public void TruncateToOffset(int relativeOffset)
    {
        while (Count > 0 && _relativeOffsets[Count - 1] >= relativeOffset)
        {
            Count--;
        }
    }

    public void WriteTo(IFileSystem fileSystem, string path)
    {
        var payload = new byte[Count * EntrySize];
        for (var i = 0; i < Count; i++)
        {
            BinaryPrimitives.WriteInt64BigEndian(payload.AsSpan(i * EntrySize), _timestamps[i]);
            BinaryPrimitives.WriteInt32BigEndian(payload.AsSpan((i * EntrySize) + 8), _relativeOffsets[i]);
        }

        ChecksummedFile.WriteAtomic(fileSystem, path, Magic, Version, payload, flushDirectory: false);
    }

    /// <summary>Loads a saved index; null when it is missing or damaged.</summary>
    public static TimeIndex? TryLoad(IFileSystem fileSystem, string path)
    {
        var payload = ChecksummedFile.TryRead(fileSystem, path, Magic, Version);
        if (payload is null || payload.Length % EntrySize != 0)
        {
            return null;
        }

        var index = new TimeIndex();
        for (var i = 0; i < payload.Length; i += EntrySize)
        {
            var timestamp = BinaryPrimitives.ReadInt64BigEndian(payload.AsSpan(i));
            var relativeOffset = BinaryPrimitives.ReadInt32BigEndian(payload.AsSpan(i + 8));
            var before = index.Count;
            index.MaybeAppend(timestamp, relativeOffset);
            if (index.Count == before || relativeOffset < 0)
            {
                return null;
            }
        }

        return index;
    }
}
