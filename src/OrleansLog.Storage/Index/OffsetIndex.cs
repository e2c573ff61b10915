using System.Buffers.Binary;
using OrleansLog.Storage.IO;

namespace OrleansLog.Storage.Index;

/// <summary>
/// The sparse offset index of one segment: entries map a batch's base offset (relative to the segment's
/// base offset) to the batch's byte position in the segment's log file. One entry is added every
/// <c>index.interval.bytes</c>, so a lookup lands at most that many bytes before the wanted batch.
/// Entries increase strictly in both fields.
/// The entries live in memory; the file (<see cref="ChecksummedFile"/> envelope, then 8-byte entries
/// <c>relativeOffset int32 | position int32</c>) is written when the segment is sealed or closed,
/// and rebuilt by scanning the log when missing or damaged. Not thread-safe: the owning segment guards it.
/// </summary>
internal sealed class OffsetIndex
{
    internal const uint Magic = 0x4F4C4F58; // "OLOX"
    internal const ushort Version = 1;
    private const int EntrySize = 8;

    private int[] _relativeOffsets = new int[16];
    private int[] _positions = new int[16];

    public int Count { get; private set; }

    public int LastPosition => Count == 0 ? 0 : _positions[Count - 1];

    public void Append(int relativeOffset, int position)
    {
        if (Count > 0 && (relativeOffset <= _relativeOffsets[Count - 1] || position <= _positions[Count - 1]))
        {
            return;
        }

        if (Count == _positions.Length)
        {
            Array.Resize(ref _relativeOffsets, Count * 2);
            Array.Resize(ref _positions, Count * 2);
        }

        _relativeOffsets[Count] = relativeOffset;
        _positions[Count] = position;
        Count++;
    }

    /// <summary>The position of the last indexed batch whose base offset is at most <paramref name="relativeOffset"/>, or 0.</summary>
    public int Lookup(int relativeOffset)
    {
        var index = FloorIndex(relativeOffset);
        return index < 0 ? 0 : _positions[index];
    }

    /// <summary>Drops entries at or after <paramref name="relativeOffset"/>.</summary>
    public void TruncateToOffset(int relativeOffset)
    {
        var index = FloorIndex(relativeOffset - 1);
        Count = index + 1;
    }

    /// <summary>Drops entries at or after byte <paramref name="position"/>.</summary>
    public void TruncateToPosition(int position)
    {
        while (Count > 0 && _positions[Count - 1] >= position)
        {
            Count--;
        }
    }

    public void WriteTo(IFileSystem fileSystem, string path)
    {
        var payload = new byte[Count * EntrySize];
        for (var i = 0; i < Count; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(payload.AsSpan(i * EntrySize), _relativeOffsets[i]);
            BinaryPrimitives.WriteInt32BigEndian(payload.AsSpan((i * EntrySize) + 4), _positions[i]);
        }

        ChecksummedFile.WriteAtomic(fileSystem, path, Magic, Version, payload, flushDirectory: false);
    }

    /// <summary>Loads a saved index; null when it is missing, damaged, or points past <paramref name="logSize"/>.</summary>
    public static OffsetIndex? TryLoad(IFileSystem fileSystem, string path, long logSize)
    {
        var payload = ChecksummedFile.TryRead(fileSystem, path, Magic, Version);
        if (payload is null || payload.Length % EntrySize != 0)
        {
            return null;
        }

        var index = new OffsetIndex();
        for (var i = 0; i < payload.Length; i += EntrySize)
        {
            var relativeOffset = BinaryPrimitives.ReadInt32BigEndian(payload.AsSpan(i));
            var position = BinaryPrimitives.ReadInt32BigEndian(payload.AsSpan(i + 4));
            var before = index.Count;
            index.Append(relativeOffset, position);
            if (index.Count == before || relativeOffset < 0 || position < 0 || position >= logSize)
            {
                return null;
            }
        }

        return index;
    }

    private int FloorIndex(int relativeOffset)
    {
        int low = 0, high = Count - 1, found = -1;
        while (low <= high)
        {
            var mid = (low + high) >>> 1;
            if (_relativeOffsets[mid] <= relativeOffset)
            {
                found = mid;
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }

        return found;
    }
}
