using System.Buffers.Binary;
using OrleansLog.Storage.IO;

namespace OrleansLog.Storage.Transactions;

/// <summary>
/// A partition's aborted transactions, on disk (<c>aborted-transactions.txnindex</c>): fixed 32-byte entries
/// <c>(producerId, firstOffset, lastOffset, lastStableOffset)</c>, big-endian, appended in the order of their markers, so
/// sorted by <see cref="AbortedTransactionEntry.LastOffset"/>. Kafka keeps one such index per segment; one per log does the
/// same work here without following the cleaner's regrouping of segments: retention trims it, truncation cuts it.
/// Nothing is held in memory but the count, so a producer that aborts often costs disk, as its markers do, not memory.
/// <para>
/// Recovery: a torn tail and entries whose marker is past the log end are cut at open. An entry lost with a crash after its
/// marker survived is appended again when the producer state is rebuilt from the log (appending is idempotent for a marker
/// at or below the newest entry), which covers every marker after the newest producer snapshot; the log flushes this file
/// before such a snapshot is written.
/// </para>
/// <para>Concurrency: not thread-safe; the owning <see cref="PartitionLog"/> calls it under its locks (reads under the read lock).</para>
/// </summary>
internal sealed class AbortedTransactionIndex : IDisposable
{
    public const string FileName = "aborted-transactions.txnindex";
    private const int EntrySize = 32;

    private readonly IFileSystem _fileSystem;
    private readonly string _directory;
    private readonly string _path;
    private IStorageFile? _file;
    private long _count;
    private long _newestLastOffset = -1;
    private bool _dirty;

    private AbortedTransactionIndex(IFileSystem fileSystem, string directory)
    {
        _fileSystem = fileSystem;
        _directory = directory;
        _path = Path.Combine(directory, FileName);
    }

    /// <summary>Entries on disk (dead ones below the log start included until a trim).</summary>
    public long Count => Volatile.Read(ref _count);

    /// <summary>Opens the index of the log in <paramref name="directory"/>, dropping entries past <paramref name="logEndOffset"/>.</summary>
    public static AbortedTransactionIndex Open(IFileSystem fileSystem, string directory, long logEndOffset)
    {
        var index = new AbortedTransactionIndex(fileSystem, directory);
        if (fileSystem.FileExists(index._path))
        {
            index._file = fileSystem.Open(index._path, create: false);
            index._count = index._file.GetLength() / EntrySize;
            if (index._count * EntrySize != index._file.GetLength())
            {
                index._file.SetLength(index._count * EntrySize);
                index._file.Flush();
            }

            index.TruncateFrom(logEndOffset);
            index._newestLastOffset = index._count > 0 ? index.ReadAt(index._count - 1).LastOffset : -1;
        }

        return index;
    }

    /// <summary>Appends <paramref name="entry"/> unless an entry at or past its marker is there already; true when written.</summary>
    public bool Append(AbortedTransactionEntry entry)
    {
        if (entry.LastOffset <= _newestLastOffset)
        {
            return false;
        }

        if (_file is null)
        {
            // The file's entry in its directory must be as durable as what a flush makes of its contents.
            _file = _fileSystem.Open(_path, create: true);
            _fileSystem.FlushDirectory(_directory);
        }

        Span<byte> bytes = stackalloc byte[EntrySize];
        Write(bytes, entry);
        _file.Write(bytes, _count * EntrySize);
        _newestLastOffset = entry.LastOffset;
        _dirty = true;
        Volatile.Write(ref _count, _count + 1);
        return true;
    }

    /// <summary>Makes every appended entry durable.</summary>
    public void Flush()
    {
        if (_dirty && _file is { } file)
        {
            _dirty = false;
            file.Flush();
        }
    }

    /// <summary>
    /// Adds to <paramref name="into"/> the aborted transactions a reader of <c>[fetchOffset, upperBound)</c> must skip:
    /// those whose marker is at or after <paramref name="fetchOffset"/> and whose data starts below <paramref name="upperBound"/>.
    /// </summary>
    public void Collect(long fetchOffset, long upperBound, List<AbortedTransactionEntry> into)
    {
        var count = Count;
        for (var i = FirstWithLastOffsetAtLeast(fetchOffset, count); i < count; i++)
        {
            var entry = ReadAt(i);
            if (entry.FirstOffset < upperBound)
            {
                into.Add(entry);
            }

            // Every transaction aborted later began at or above this entry's last stable offset.
            if (entry.LastStableOffset >= upperBound)
            {
                return;
            }
        }
    }

    /// <summary>Drops the entries whose marker is at or after <paramref name="offset"/> (the log was cut back there), durably.</summary>
    public void TruncateFrom(long offset)
    {
        if (_file is not { } file)
        {
            return;
        }

        var keep = FirstWithLastOffsetAtLeast(offset, _count);
        if (keep < _count)
        {
            file.SetLength(keep * EntrySize);
            file.Flush();
            Volatile.Write(ref _count, keep);
            _newestLastOffset = keep > 0 ? ReadAt(keep - 1).LastOffset : -1;
        }
    }

    /// <summary>
    /// Forgets entries whose marker is below <paramref name="logStartOffset"/> once they are the larger part of the file:
    /// the live ones are copied to a new file that replaces it atomically.
    /// </summary>
    public void TrimBefore(long logStartOffset)
    {
        if (_file is not { } file)
        {
            return;
        }

        var dead = FirstWithLastOffsetAtLeast(logStartOffset, _count);
        if (dead == 0 || dead < _count - dead)
        {
            return;
        }

        var live = new byte[(_count - dead) * EntrySize];
        for (var at = 0; at < live.Length;)
        {
            at += file.Read(live.AsSpan(at), (dead * EntrySize) + at);
        }

        Replace(file, live, _count - dead);
    }

    /// <summary>Makes <paramref name="bytes"/> (<paramref name="count"/> entries) the whole file: a synced copy renamed over it.</summary>
    private void Replace(IStorageFile file, byte[] bytes, long count)
    {
        var temp = _path + ".tmp";
        using (var copy = _fileSystem.Open(temp, create: true))
        {
            copy.SetLength(0);
            copy.Write(bytes, 0);
            copy.Flush();
        }

        file.Dispose();
        _file = null;
        _fileSystem.Rename(temp, _path);
        _fileSystem.FlushDirectory(_directory);
        _file = _fileSystem.Open(_path, create: false);
        _dirty = false;
        Volatile.Write(ref _count, count);
        _newestLastOffset = count > 0 ? ReadAt(count - 1).LastOffset : -1;
    }

    /// <summary>
    /// Drops the entries whose marker is at one of <paramref name="markerOffsets"/> (the cleaner removes a marker only once
    /// its transaction has no data left, so the entry has nothing left to hide; a reader must not meet an entry whose
    /// marker is gone, or it would skip that producer's later transactions). The kept entries replace the file atomically.
    /// </summary>
    public void Remove(IReadOnlySet<long> markerOffsets)
    {
        if (_file is not { } file || markerOffsets.Count == 0)
        {
            return;
        }

        var kept = new List<AbortedTransactionEntry>();
        for (long i = 0; i < _count; i++)
        {
            var entry = ReadAt(i);
            if (!markerOffsets.Contains(entry.LastOffset))
            {
                kept.Add(entry);
            }
        }

        if (kept.Count == _count)
        {
            return;
        }

        var bytes = new byte[kept.Count * EntrySize];
        for (var i = 0; i < kept.Count; i++)
        {
            Write(bytes.AsSpan(i * EntrySize, EntrySize), kept[i]);
        }

        Replace(file, bytes, kept.Count);
    }

    public void Dispose()
    {
        _file?.Dispose();
        _file = null;
    }

    private long FirstWithLastOffsetAtLeast(long offset, long count)
    {
        long low = 0, high = count;
        while (low < high)
        {
            var middle = low + ((high - low) / 2);
            if (ReadAt(middle).LastOffset < offset)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }

    private static void Write(Span<byte> bytes, AbortedTransactionEntry entry)
    {
        BinaryPrimitives.WriteInt64BigEndian(bytes, entry.ProducerId);
        BinaryPrimitives.WriteInt64BigEndian(bytes[8..], entry.FirstOffset);
        BinaryPrimitives.WriteInt64BigEndian(bytes[16..], entry.LastOffset);
        BinaryPrimitives.WriteInt64BigEndian(bytes[24..], entry.LastStableOffset);
    }

    private AbortedTransactionEntry ReadAt(long index)
    {
        Span<byte> bytes = stackalloc byte[EntrySize];
        var read = 0;
        while (read < EntrySize)
        {
            var got = _file!.Read(bytes[read..], (index * EntrySize) + read);
            if (got <= 0)
            {
                throw new IOException($"{_path} ends inside entry {index}.");
            }

            read += got;
        }

        return new AbortedTransactionEntry(
            BinaryPrimitives.ReadInt64BigEndian(bytes),
            BinaryPrimitives.ReadInt64BigEndian(bytes[8..]),
            BinaryPrimitives.ReadInt64BigEndian(bytes[16..]),
            BinaryPrimitives.ReadInt64BigEndian(bytes[24..]));
    }
}
