using System.Buffers;
using OrleansLog.Records;
using OrleansLog.Storage.Index;
using OrleansLog.Storage.IO;
using static OrleansLog.Records.RecordBatchLayout;

namespace OrleansLog.Storage.Segments;

/// <summary>
/// One segment of a partition's log: a <c>.log</c> file of record batches back to back, and its sparse
/// <see cref="OffsetIndex"/> and <see cref="TimeIndex"/>. A segment's base offset is at most the base
/// offset of its first batch; every batch's offsets lie within int range of it, so indexes store
/// 4-byte relative offsets. Only the last segment of a log is written.
/// Not thread-safe: <see cref="Storage.PartitionLog"/> serialises writers against readers.
/// </summary>
internal sealed class LogSegment : IDisposable
{
    private const int HeaderReadSize = HeaderSize;
    private const int RecoveryChunkSize = 1024 * 1024;

    private readonly IFileSystem _fileSystem;
    private readonly string _directory;
    private readonly int _indexIntervalBytes;
    private readonly IStorageFile _log;
    private OffsetIndex _offsetIndex = new();
    private TimeIndex _timeIndex = new();
    private int _bytesSinceLastIndexEntry;
    private long _offsetOfMaxTimestamp;

    private LogSegment(IFileSystem fileSystem, string directory, long baseOffset, int indexIntervalBytes, IStorageFile log)
    {
        _fileSystem = fileSystem;
        _directory = directory;
        _indexIntervalBytes = indexIntervalBytes;
        _log = log;
        BaseOffset = baseOffset;
        NextOffset = baseOffset;
        _offsetOfMaxTimestamp = baseOffset;
    }

    public long BaseOffset { get; }

    /// <summary>The offset after the segment's last batch (its base offset when empty).</summary>
    public long NextOffset { get; private set; }

    public long Size { get; private set; }

    /// <summary>The largest record timestamp in the segment, or -1.</summary>
    public long MaxTimestamp { get; private set; } = NoTimestamp;

    /// <summary>
    /// When the segment took its first batch, on the broker's clock (or when it was opened, after a restart):
    /// <c>segment.ms</c> counts from it. Kafka counts from the first batch's own timestamp, which a
    /// producer with a wrong clock can set decades off, rolling a segment per append.
    /// </summary>
    public long RollClockStartMs { get; set; } = NoTimestamp;

    public bool IsEmpty => Size == 0;

    public static LogSegment Create(IFileSystem fileSystem, string directory, long baseOffset, int indexIntervalBytes)
    {
        var log = fileSystem.Open(SegmentFileNames.LogFile(directory, baseOffset), create: true);
        log.SetLength(0);
        return new LogSegment(fileSystem, directory, baseOffset, indexIntervalBytes, log);
    }

    /// <summary>
    /// A segment the cleaner writes under another name (<paramref name="logPath"/>, a <c>.log.cleaned</c> file) while
    /// the segments it replaces are still live: indexed in memory as it is appended, and made live by
    /// <see cref="ReopenAsLive"/> once the file has its segment's name.
    /// </summary>
    public static LogSegment CreateAt(IFileSystem fileSystem, string directory, long baseOffset, int indexIntervalBytes, string logPath)
    {
        var log = fileSystem.Open(logPath, create: true);
        log.SetLength(0);
        return new LogSegment(fileSystem, directory, baseOffset, indexIntervalBytes, log);
    }

    /// <summary>The path of the segment's log file.</summary>
    public string LogPath => _log.Path;

    /// <summary>
    /// The same segment read from its live name, after <see cref="CreateAt"/>'s file was flushed, closed (see
    /// <see cref="Dispose"/>) and renamed there: its indexes are the ones built while it was written, now written out.
    /// </summary>
    public LogSegment ReopenAsLive()
    {
        var log = _fileSystem.Open(SegmentFileNames.LogFile(_directory, BaseOffset), create: false);
        var live = new LogSegment(_fileSystem, _directory, BaseOffset, _indexIntervalBytes, log)
        {
            Size = Size,
            NextOffset = NextOffset,
            MaxTimestamp = MaxTimestamp,
            _offsetIndex = _offsetIndex,
            _timeIndex = _timeIndex,
            _offsetOfMaxTimestamp = _offsetOfMaxTimestamp,
            _bytesSinceLastIndexEntry = _bytesSinceLastIndexEntry,
        };
        live.Seal();
        return live;
    }

    /// <summary>
    /// Opens an existing segment. With <paramref name="verify"/> every batch is checked (length, magic,
    /// CRC, increasing offsets), a bad tail is cut off and the indexes are rebuilt; without it saved
    /// indexes are trusted when intact, and a missing or damaged index still triggers the full check.
    /// </summary>
    public static LogSegment Open(IFileSystem fileSystem, string directory, long baseOffset, int indexIntervalBytes, bool verify, out long truncatedBytes, out bool indexRebuilt)
    {
        var log = fileSystem.Open(SegmentFileNames.LogFile(directory, baseOffset), create: false);
        var segment = new LogSegment(fileSystem, directory, baseOffset, indexIntervalBytes, log) { Size = log.GetLength() };
        truncatedBytes = 0;
        indexRebuilt = false;
        if (!verify &&
            OffsetIndex.TryLoad(fileSystem, SegmentFileNames.OffsetIndexFile(directory, baseOffset), segment.Size) is { } offsetIndex &&
            TimeIndex.TryLoad(fileSystem, SegmentFileNames.TimeIndexFile(directory, baseOffset)) is { } timeIndex)
        {
            segment._offsetIndex = offsetIndex;
            segment._timeIndex = timeIndex;
            if (segment.TryLoadTail())
            {
                return segment;
            }
        }

        indexRebuilt = !verify;
        truncatedBytes = segment.Recover();
        return segment;
    }

    /// <summary>Writes the batches at the end of the segment and indexes them. On an I/O error the file is cut back and the error rethrown.</summary>
    public void Append(IReadOnlyList<ReadOnlyMemory<byte>> buffers, ReadOnlySpan<BatchPlacement> batches)
    {
        var position = Size;
        try
        {
            _log.Write(buffers, position);
        }
        catch (IOException)
        {
            TryCutBack(position);
            throw;
        }

        foreach (var batch in batches)
        {
            Track(batch.BaseOffset, batch.LastOffset, batch.MaxTimestamp, (int)position, batch.SizeInBytes);
            position += batch.SizeInBytes;
        }
    }

    /// <summary>Whether a batch with these offsets may go into this segment (relative offsets must fit an int).</summary>
    public bool CanHold(long lastOffset) => lastOffset - BaseOffset <= int.MaxValue;

    /// <summary>The position of the first batch whose last offset is at least <paramref name="offset"/>, or -1.</summary>
    public int FindBatchPosition(long offset)
    {
        if (offset >= NextOffset)
        {
            return -1;
        }

        var relative = (int)Math.Clamp(offset - BaseOffset, 0, int.MaxValue);
        var position = _offsetIndex.Lookup(relative);
        Span<byte> header = stackalloc byte[HeaderReadSize];
        while (position < Size)
        {
            var batch = ReadHeader(position, header);
            if (batch.LastOffset >= offset)
            {
                return position;
            }

            position += batch.SizeInBytes;
        }

        return -1;
    }

    /// <summary>
    /// Reads whole batches from <paramref name="position"/>: as many as fit in <paramref name="maxBytes"/>
    /// (at least one, so a batch larger than the limit is still returned, unless <paramref name="minOneBatch"/>
    /// is false) whose last offset is below <paramref name="maxOffset"/>.
    /// </summary>
    public LogReadResult Read(int position, int maxBytes, long maxOffset, long logStartOffset, long logEndOffset, bool minOneBatch = true, bool owned = false)
    {
        var available = (int)Math.Min(Size - position, Math.Max(maxBytes, HeaderSize));
        var buffer = Rent(available, owned);
        var read = _log.Read(buffer.AsSpan(0, available), position);
        var length = 0;
        var nextOffset = -1L;
        while (read - length >= HeaderSize)
        {
            var header = RecordBatchHeader.Read(buffer.AsSpan(length));
            if (header.LastOffset >= maxOffset)
            {
                break;
            }

            if (length + header.SizeInBytes > read)
            {
                if (length == 0 && (minOneBatch || header.SizeInBytes <= maxBytes))
                {
                    Return(buffer, owned);
                    buffer = Rent(header.SizeInBytes, owned);
                    read = _log.Read(buffer.AsSpan(0, header.SizeInBytes), position);
                    length = header.SizeInBytes;
                    nextOffset = header.NextOffset;
                }

                break;
            }

            length += header.SizeInBytes;
            nextOffset = header.NextOffset;
        }

        if (length == 0)
        {
            Return(buffer, owned);
            return new LogReadResult(null, 0, logStartOffset, logEndOffset, -1);
        }

        return new LogReadResult(buffer, length, logStartOffset, logEndOffset, nextOffset, pooled: !owned);
    }

    /// <summary>An owned buffer is the caller's to keep (no pool), sized to what is read: at most one partial batch past the answer.</summary>
    private static byte[] Rent(int size, bool owned) => owned ? GC.AllocateUninitializedArray<byte>(size) : ArrayPool<byte>.Shared.Rent(size);

    private static void Return(byte[] buffer, bool owned)
    {
        if (!owned)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The offset of the first record with a timestamp at least <paramref name="timestamp"/>, or null.</summary>
    public long? FindOffsetByTimestamp(long timestamp)
    {
        if (MaxTimestamp < timestamp)
        {
            return null;
        }

        var position = _offsetIndex.Lookup(_timeIndex.Lookup(timestamp));
        Span<byte> headerBytes = stackalloc byte[HeaderReadSize];
        while (position < Size)
        {
            var header = ReadHeader(position, headerBytes);
            if (header.MaxTimestamp >= timestamp)
            {
                var buffer = ArrayPool<byte>.Shared.Rent(header.SizeInBytes);
                try
                {
                    _log.Read(buffer.AsSpan(0, header.SizeInBytes), position);
                    using var records = new RecordReader(buffer.AsSpan(0, header.SizeInBytes));
                    while (records.TryReadNext(out var record))
                    {
                        if (record.Timestamp >= timestamp)
                        {
                            return record.Offset;
                        }
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }

            position += header.SizeInBytes;
        }

        return null;
    }

    /// <summary>Removes every batch with an offset at or after <paramref name="offset"/>; a batch containing it goes whole. Returns the new next offset.</summary>
    public long TruncateTo(long offset)
    {
        var position = offset <= BaseOffset ? 0 : FindBatchPosition(offset);
        if (position < 0)
        {
            return NextOffset;
        }

        _log.SetLength(position);
        _log.Flush();
        Size = position;
        _offsetIndex.TruncateToPosition(position);
        _timeIndex.TruncateToOffset((int)Math.Clamp(offset - BaseOffset, 0, int.MaxValue));
        MaxTimestamp = NoTimestamp;
        _offsetOfMaxTimestamp = BaseOffset;
        if (!TryLoadTail())
        {
            Recover();
        }

        if (Size == 0)
        {
            RollClockStartMs = NoTimestamp;
        }

        return NextOffset;
    }

    /// <summary>Makes the segment's bytes durable.</summary>
    public void Flush() => _log.Flush();

    /// <summary>
    /// Flushes the log and writes both indexes: called when the segment stops being active and on clean close. The
    /// index files' renames are made durable by the caller's next directory flush (a roll's, after it creates the
    /// next segment; a close's, before its clean shutdown marker): an index that is lost to a crash is rebuilt.
    /// </summary>
    public void Seal()
    {
        // As Kafka does when a segment stops being active: the time index ends with the segment's newest timestamp,
        // so retention can judge a closed segment from its time index alone (RetentionOnDisk).
        if (MaxTimestamp >= 0)
        {
            _timeIndex.MaybeAppend(MaxTimestamp, (int)(_offsetOfMaxTimestamp - BaseOffset));
        }

        _log.Flush();
        _offsetIndex.WriteTo(_fileSystem, SegmentFileNames.OffsetIndexFile(_directory, BaseOffset));
        _timeIndex.WriteTo(_fileSystem, SegmentFileNames.TimeIndexFile(_directory, BaseOffset));
    }

    /// <summary>Closes and deletes the segment's files.</summary>
    public void Delete()
    {
        _log.Dispose();
        _fileSystem.DeleteFile(SegmentFileNames.OffsetIndexFile(_directory, BaseOffset));
        _fileSystem.DeleteFile(SegmentFileNames.TimeIndexFile(_directory, BaseOffset));
        _fileSystem.DeleteFile(SegmentFileNames.LogFile(_directory, BaseOffset));
    }

    public void Dispose() => _log.Dispose();

    private void Track(long baseOffset, long lastOffset, long maxTimestamp, int position, int size)
    {
        if (maxTimestamp > MaxTimestamp)
        {
            MaxTimestamp = maxTimestamp;
            _offsetOfMaxTimestamp = baseOffset;
        }

        if (_bytesSinceLastIndexEntry > _indexIntervalBytes)
        {
            _offsetIndex.Append((int)(baseOffset - BaseOffset), position);
            _timeIndex.MaybeAppend(MaxTimestamp, (int)(_offsetOfMaxTimestamp - BaseOffset));
            _bytesSinceLastIndexEntry = 0;
        }

        _bytesSinceLastIndexEntry += size;
        NextOffset = lastOffset + 1;
        Size = position + size;
    }

    /// <summary>The base offset and partition leader epoch of every batch, in order: what a lost leader epoch checkpoint is rebuilt from.</summary>
    public List<(long BaseOffset, int LeaderEpoch)> BatchEpochs()
    {
        var epochs = new List<(long, int)>();
        ForEachHeader(batch => epochs.Add((batch.BaseOffset, batch.PartitionLeaderEpoch)));
        return epochs;
    }

    /// <summary>Calls <paramref name="visit"/> with the header of every batch, in order (61 bytes read per batch).</summary>
    public void ForEachHeader(Action<RecordBatchHeader> visit)
    {
        var header = new byte[HeaderReadSize];
        for (long position = 0; position < Size;)
        {
            var batch = ReadHeader(position, header);
            visit(batch);
            position += batch.SizeInBytes;
        }
    }

    /// <summary>The base timestamp of the segment's first batch, or -1 when it is empty: how old its oldest record is, about.</summary>
    public long FirstBatchTimestamp()
    {
        Span<byte> header = stackalloc byte[HeaderReadSize];
        return IsEmpty ? NoTimestamp : ReadHeader(0, header).BaseTimestamp;
    }

    private RecordBatchHeader ReadHeader(long position, Span<byte> header)
    {
        if (_log.Read(header, position) < HeaderSize)
        {
            throw new OrleansLogException(ErrorCode.KafkaStorageError, $"Segment {_log.Path} ends inside a batch header at {position}.");
        }

        return RecordBatchHeader.Read(header);
    }

    /// <summary>
    /// Completes state from trusted indexes: walks headers from the last index entry to the end of the file.
    /// False when the walk finds a header that does not add up (then the caller recovers in full).
    /// </summary>
    private bool TryLoadTail()
    {
        var position = _offsetIndex.LastPosition;
        MaxTimestamp = _timeIndex.LastTimestamp;
        NextOffset = BaseOffset;
        _bytesSinceLastIndexEntry = 0;
        Span<byte> headerBytes = stackalloc byte[HeaderReadSize];
        while (position < Size)
        {
            if (Size - position < HeaderSize)
            {
                return false;
            }

            var header = ReadHeader(position, headerBytes);
            if (header.Magic != CurrentMagic || header.SizeInBytes < HeaderSize || header.SizeInBytes > Size - position || header.BaseOffset < BaseOffset)
            {
                return false;
            }

            if (header.MaxTimestamp > MaxTimestamp)
            {
                MaxTimestamp = header.MaxTimestamp;
                _offsetOfMaxTimestamp = header.BaseOffset;
            }

            NextOffset = header.NextOffset;
            _bytesSinceLastIndexEntry += header.SizeInBytes;
            position += header.SizeInBytes;
        }

        return true;
    }

    /// <summary>Checks every batch from the start, rebuilds both indexes, and cuts the file at the first bad batch. Returns the bytes cut.</summary>
    private long Recover()
    {
        _offsetIndex = new OffsetIndex();
        _timeIndex = new TimeIndex();
        _bytesSinceLastIndexEntry = 0;
        MaxTimestamp = NoTimestamp;
        NextOffset = BaseOffset;
        var fileSize = Size;
        Size = 0;

        var buffer = ArrayPool<byte>.Shared.Rent(RecoveryChunkSize);
        try
        {
            long chunkStart = 0;
            var chunkLength = 0;
            long position = 0;
            while (position < fileSize)
            {
                var inChunk = (int)(position - chunkStart);
                if (chunkLength - inChunk < HeaderSize)
                {
                    (chunkStart, chunkLength) = (position, Fill(ref buffer, position, Math.Min(buffer.Length, fileSize - position)));
                    inChunk = 0;
                    if (chunkLength < HeaderSize)
                    {
                        break;
                    }
                }

                var (baseOffset, size) = RecordBatchHeader.ReadOffsetAndSize(buffer.AsSpan(inChunk));
                if (size < HeaderSize || size > fileSize - position || baseOffset < NextOffset || baseOffset < BaseOffset)
                {
                    break;
                }

                if (chunkLength - inChunk < size)
                {
                    (chunkStart, chunkLength) = (position, Fill(ref buffer, position, size));
                    inChunk = 0;
                }

                var batch = buffer.AsSpan(inChunk, size);
                var header = RecordBatchHeader.Read(batch);
                if (header.Magic != CurrentMagic || header.LastOffsetDelta < 0 || !CanHold(header.LastOffset) ||
                    Crc32C.Compute(batch[AttributesOffset..]) != header.Crc)
                {
                    break;
                }

                Track(header.BaseOffset, header.LastOffset, header.MaxTimestamp, (int)position, size);
                position += size;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        var truncated = fileSize - Size;
        if (truncated > 0)
        {
            _log.SetLength(Size);
            _log.Flush();
        }

        return truncated;
    }

    private int Fill(ref byte[] buffer, long position, long length)
    {
        if (buffer.Length < length)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            buffer = ArrayPool<byte>.Shared.Rent((int)length);
        }

        return _log.Read(buffer.AsSpan(0, (int)length), position);
    }

    private void TryCutBack(long position)
    {
        try
        {
            _log.SetLength(position);
        }
        catch (IOException)
        {
            // The log is fenced by the caller either way; recovery on the next open cuts the torn tail.
        }
    }
}
