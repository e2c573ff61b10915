using System.Collections.Immutable;
using OrleansLog.Records;
using OrleansLog.Storage.Checkpoints;
using OrleansLog.Storage.Epochs;
using OrleansLog.Storage.IO;
using OrleansLog.Storage.Logs;
using OrleansLog.Storage.Retention;
using OrleansLog.Storage.Segments;
using static OrleansLog.Records.RecordBatchLayout;

namespace OrleansLog.Storage;

/// <summary>
/// One partition's log: an ordered list of <see cref="LogSegment"/>s in a directory of its own, with
/// dense offsets from <see cref="LogStartOffset"/> to <see cref="LogEndOffset"/>. It is opened (and
/// recovered) by <see cref="PartitionLogLoader"/>, made durable by its <see cref="GroupCommit"/>, and its
/// start offset is remembered by <see cref="LogStartCheckpoint"/>.
/// <para>
/// Append and flush are separate steps (FASTER's enqueue and commit): <see cref="Append"/> writes and
/// assigns offsets; <see cref="FlushAsync(long, bool)"/> makes them durable, and concurrent callers share one
/// fdatasync (group commit). <see cref="AppendAsync"/> does both as the config asks. A failed write or
/// flush fences the log (<see cref="LogFence"/>): every later call fails with KAFKA_STORAGE_ERROR, nothing
/// is retried silently.
/// </para>
/// <para>
/// Thread-safe (<see cref="LogLocks"/>): appends, truncation and retention are serialised; reads run
/// concurrently with each other; a flush runs concurrently with appends. The directory is locked against
/// a second process.
/// </para>
/// </summary>
public sealed partial class PartitionLog : IDisposable
{
    private readonly LogFence _fence;
    private readonly LogLocks _locks;
    private readonly GroupCommit _commit;
    private readonly IFileSystem _fileSystem;
    private readonly TimeProvider _time;
    private readonly IDisposable _directoryLock;
    private readonly BatchStamper _stamper = new();
    private readonly LeaderEpochCache _epochs;
    private BatchPlacement[] _placements = new BatchPlacement[4];
    private ImmutableArray<LogSegment> _segments;
    private long _logStartOffset;
    private long _logEndOffset;
    private long _checkpointedHighWatermark;
    private bool _disposed;

    private PartitionLog(string directory, LogConfig config, IFileSystem fileSystem, TimeProvider time, IDisposable directoryLock, PartitionLogLoader.Loaded loaded)
    {
        Directory = directory;
        Config = config;
        _fileSystem = fileSystem;
        _time = time;
        _directoryLock = directoryLock;
        _fence = new LogFence(directory);
        _locks = new LogLocks(_fence);
        _segments = loaded.Segments;
        _logStartOffset = loaded.LogStartOffset;
        _logEndOffset = loaded.LogEndOffset;
        _epochs = loaded.Epochs;
        _checkpointedHighWatermark = HighWatermarkCheckpoint.Read(fileSystem, directory);
        Recovery = loaded.Recovery;
        _aborted = Transactions.AbortedTransactionIndex.Open(fileSystem, directory, loaded.LogEndOffset);
        _commit = new GroupCommit(_fence, FlushActiveSegment, () => LogEndOffset, time, flushedOffset: loaded.LogEndOffset);
        _commit.ScheduleTimer(config.FlushMs);
    }

    public string Directory { get; }

    public LogConfig Config { get; private set; }

    /// <summary>The first offset a read may ask for.</summary>
    public long LogStartOffset => Volatile.Read(ref _logStartOffset);

    /// <summary>The offset the next appended record gets.</summary>
    public long LogEndOffset => Volatile.Read(ref _logEndOffset);

    /// <summary>Every offset below this is durable on disk.</summary>
    public long FlushedOffset => _commit.FlushedOffset;

    /// <summary>
    /// The high watermark last checkpointed here (see <see cref="CheckpointHighWatermark"/>), within
    /// [<see cref="LogStartOffset"/>, <see cref="LogEndOffset"/>]: where a leader that starts with no
    /// fresher knowledge begins.
    /// </summary>
    public long CheckpointedHighWatermark => Math.Clamp(Volatile.Read(ref _checkpointedHighWatermark), LogStartOffset, LogEndOffset);

    /// <summary>What the last open found and repaired.</summary>
    public LogRecoveryInfo Recovery { get; }

    public int SegmentCount => _segments.Length;

    /// <summary>Which leader epoch wrote which offsets (for replication's divergence check).</summary>
    public ImmutableArray<EpochEntry> LeaderEpochs => _epochs.Entries;

    /// <summary>The newest leader epoch that wrote to this log, or -1.</summary>
    public int LatestEpoch => _epochs.LatestEpoch;

    public long SizeInBytes => SizeOf(_segments.AsSpan());

    /// <summary>
    /// Opens (or creates) the log in <paramref name="directory"/> and recovers it (see <see cref="PartitionLogLoader"/>).
    /// It locks its directory against other processes, unless <paramref name="lockDirectory"/> is off because the
    /// caller holds a lock over every log (the broker's <c>LogManager</c> does: one handle instead of one per log).
    /// </summary>
    public static PartitionLog Open(string directory, LogConfig config, IFileSystem? fileSystem = null, TimeProvider? time = null, bool lockDirectory = true)
    {
        config.Validate();
        fileSystem ??= DiskFileSystem.Instance;
        time ??= TimeProvider.System;
        var created = fileSystem.CreateDirectory(directory);
        IDisposable directoryLock;
        try
        {
            directoryLock = lockDirectory ? fileSystem.LockDirectory(directory) : HeldElsewhere.Instance;
        }
        catch (IOException e)
        {
            throw new OrleansLogException(ErrorCode.KafkaStorageError, $"The log directory {directory} is in use by another process.", e);
        }

        try
        {
            return new PartitionLog(directory, config, fileSystem, time, directoryLock, PartitionLogLoader.Load(fileSystem, directory, config, time, created));
        }
        catch
        {
            directoryLock.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Checks, without opening the log, the files of <paramref name="directory"/> that cannot be rebuilt
    /// from its segments (the log start offset checkpoint): <see cref="DamagedFileException"/> when one is
    /// damaged, so a broker can refuse to start instead of serving records that were deleted.
    /// </summary>
    public static void VerifyCheckpoints(string directory, IFileSystem? fileSystem = null) =>
        LogStartCheckpoint.Read(fileSystem ?? DiskFileSystem.Instance, directory);

    /// <summary>
    /// Remembers <paramref name="highWatermark"/> durably (atomic file replace) when it moved since the last
    /// checkpoint; a no-op otherwise. Called every few seconds and at shutdown by the broker, not per append.
    /// </summary>
    public void CheckpointHighWatermark(long highWatermark)
    {
        // The file lifetime lock (as a flush takes it), not the append lock: appends go on while it is written.
        using var scope = _locks.FileLifetime();
        if (highWatermark == Volatile.Read(ref _checkpointedHighWatermark) || _fence.IsFenced || _disposed)
        {
            return;
        }

        _fence.Guard(() => HighWatermarkCheckpoint.Write(_fileSystem, Directory, highWatermark));
        Volatile.Write(ref _checkpointedHighWatermark, highWatermark);
    }

    /// <summary>Switches to a new config (from a topic alter). Takes effect for the next append, roll and retention run.</summary>
    public void UpdateConfig(LogConfig config)
    {
        config.Validate();
        using var scope = _locks.WriteEvenIfFenced();
        Config = config;
        _commit.ScheduleTimer(config.FlushMs);
    }

    /// <summary>
    /// Appends producer batches as leader: validates each, stamps consecutive base offsets from
    /// <see cref="LogEndOffset"/> and the leader epoch (both outside the CRC), and writes them. The
    /// caller's bytes are not modified. Not yet durable: see <see cref="FlushAsync(long, bool)"/>.
    /// An epoch older than <see cref="LatestEpoch"/> is FENCED_LEADER_EPOCH: a deposed leader writes nothing.
    /// </summary>
    public LogAppendInfo Append(ReadOnlyMemory<byte> batches, int leaderEpoch = NoPartitionLeaderEpoch) =>
        AppendValidated(batches, leaderEpoch, assignOffsets: true);

    /// <summary>
    /// Appends batches copied from a leader, keeping their offsets and epochs. The first must start at or
    /// after <see cref="LogEndOffset"/> and offsets must increase; their epochs may not go back.
    /// </summary>
    public LogAppendInfo AppendAsFollower(ReadOnlyMemory<byte> batches) =>
        AppendValidated(batches, NoPartitionLeaderEpoch, assignOffsets: false);

    /// <summary>
    /// Appends as leader and, when the config says so, waits until the batches are durable. See
    /// <see cref="FlushAsync(long, bool)"/> for <paramref name="flushOnCallingThread"/>.
    /// </summary>
    public async ValueTask<LogAppendInfo> AppendAsync(ReadOnlyMemory<byte> batches, int leaderEpoch = NoPartitionLeaderEpoch, bool flushOnCallingThread = false)
    {
        var info = Append(batches, leaderEpoch);
        await FlushIfDueAsync(info.NextOffset, flushOnCallingThread).ConfigureAwait(false);
        return info;
    }

    /// <summary>
    /// Waits until everything below <paramref name="offset"/> is durable when the config says appends
    /// are acknowledged only after a flush (<c>flush.messages</c> unflushed records reached); otherwise
    /// completes at once and leaves the flush to <c>flush.ms</c>.
    /// </summary>
    public ValueTask FlushIfDueAsync(long offset, bool flushOnCallingThread = false) =>
        offset - FlushedOffset >= Config.FlushMessages ? FlushAsync(offset, flushOnCallingThread) : ValueTask.CompletedTask;

    /// <summary>
    /// Completes once every offset below <paramref name="offset"/> is durable; see <see cref="GroupCommit"/>
    /// for who shares which fdatasync and on which thread it runs.
    /// </summary>
    public ValueTask FlushAsync(long offset, bool flushOnCallingThread = false) => _commit.FlushAsync(offset, flushOnCallingThread);

    /// <summary>Makes everything appended so far durable.</summary>
    public ValueTask FlushAsync() => FlushAsync(LogEndOffset);

    /// <summary>
    /// Reads whole batches starting with the one that holds <paramref name="offset"/>, up to
    /// <paramref name="maxBytes"/> (but at least one batch unless <paramref name="minOneBatch"/> is false: a
    /// reader past its first partition of a fetch takes nothing rather than one batch beyond its budget),
    /// only batches that end below <paramref name="maxOffset"/> (the high watermark), and from one segment
    /// at a time. An offset outside [<see cref="LogStartOffset"/>, <see cref="LogEndOffset"/>] is OFFSET_OUT_OF_RANGE.
    /// With <paramref name="owned"/> the batches are in a buffer of their own that may outlive the result (a
    /// grain's answer), read once from the file and never copied; otherwise in a pooled buffer.
    /// </summary>
    public LogReadResult Read(long offset, int maxBytes, long maxOffset = long.MaxValue, bool minOneBatch = true, bool owned = false)
    {
        using var scope = _locks.Read();
        var start = _logStartOffset;
        var end = _logEndOffset;
        if (offset < start || offset > end)
        {
            throw new OrleansLogException(ErrorCode.OffsetOutOfRange, $"Offset {offset} is outside the log's range [{start}, {end}] in {Directory}.");
        }

        var segments = _segments;
        for (var i = LogSegments.Floor(segments, offset); i < segments.Length && offset < Math.Min(end, maxOffset); i++)
        {
            var position = segments[i].FindBatchPosition(offset);
            if (position >= 0)
            {
                return segments[i].Read(position, maxBytes, maxOffset, start, end, minOneBatch, owned);
            }
        }

        return new LogReadResult(null, 0, start, end, -1);
    }

    /// <summary>The earliest offset whose record timestamp is at least <paramref name="timestamp"/>, or null when there is none.</summary>
    public long? OffsetForTimestamp(long timestamp)
    {
        using var scope = _locks.Read();
        foreach (var segment in _segments)
        {
            if (segment.MaxTimestamp >= timestamp && segment.FindOffsetByTimestamp(timestamp) is { } offset)
            {
                return Math.Max(offset, _logStartOffset);
            }
        }

        return null;
    }

    /// <summary>
    /// Removes every record at or after <paramref name="offset"/> (a batch that holds it goes whole), durably.
    /// Replication uses it to cut a divergent tail. Returns the new <see cref="LogEndOffset"/>.
    /// </summary>
    public long TruncateTo(long offset)
    {
        using var scope = _locks.WriteFiles();
        if (offset >= _logEndOffset)
        {
            return _logEndOffset;
        }

        if (offset <= _logStartOffset)
        {
            ResetTo(_logStartOffset);
            return _logEndOffset;
        }

        _fence.Guard(() =>
        {
            var segments = _segments;
            var keep = LogSegments.Floor(segments, offset);
            for (var i = segments.Length - 1; i > keep; i--)
            {
                segments[i].Delete();
            }

            _segments = segments.RemoveRange(keep + 1, segments.Length - keep - 1);
            _logEndOffset = _segments[^1].TruncateTo(offset);
            _fileSystem.FlushDirectory(Directory);
            _epochs.TruncateFromEnd(_logEndOffset);
            SegmentsCutBack(_logEndOffset);
        });
        if (_logEndOffset < _logStartOffset)
        {
            // The batch holding the cut straddled the log start: nothing readable remains.
            ResetTo(_logStartOffset);
        }

        _commit.Lower(_logEndOffset);
        return _logEndOffset;
    }

    /// <summary>Deletes every segment and starts the log empty at <paramref name="offset"/> (a follower far behind a leader's retention).</summary>
    public void TruncateFullyAndStartAt(long offset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        using var scope = _locks.WriteFiles();
        ResetTo(offset);
    }

    /// <summary>
    /// Moves <see cref="LogStartOffset"/> up to <paramref name="offset"/> (Kafka's DeleteRecords) and deletes
    /// the segments wholly below it. Returns the number of segments deleted.
    /// </summary>
    public int DeleteRecordsBefore(long offset)
    {
        using var scope = _locks.WriteFiles();
        if (offset > _logEndOffset)
        {
            throw new OrleansLogException(ErrorCode.OffsetOutOfRange, $"Cannot delete records before {offset}: the log ends at {_logEndOffset}.");
        }

        if (offset <= _logStartOffset)
        {
            return 0;
        }

        var deletable = 0;
        while (deletable < _segments.Length - 1 && _segments[deletable + 1].BaseOffset <= offset)
        {
            deletable++;
        }

        return DeleteOldestSegments(deletable, offset);
    }

    /// <summary>
    /// Deletes whole old segments past <c>retention.ms</c> (by their newest record) or beyond
    /// <c>retention.bytes</c>, never the active one; an expired active segment is rolled so the next run
    /// can delete it. Moves <see cref="LogStartOffset"/>. Returns what was deleted.
    /// </summary>
    public RetentionResult ApplyRetention()
    {
        using var scope = _locks.WriteFiles();
        var plan = RetentionPolicy.Plan(_segments.AsSpan(), Config, _time.GetUtcNow().ToUnixTimeMilliseconds());
        if (plan.RollActive)
        {
            _fence.Guard(RollLocked);
        }

        if (plan.SegmentsToDelete == 0)
        {
            return new RetentionResult(0, 0, _logStartOffset);
        }

        long bytes = 0;
        for (var i = 0; i < plan.SegmentsToDelete; i++)
        {
            bytes += _segments[i].Size;
        }

        DeleteOldestSegments(plan.SegmentsToDelete, _segments[plan.SegmentsToDelete].BaseOffset);
        return new RetentionResult(plan.SegmentsToDelete, bytes, _logStartOffset);
    }

    /// <summary>Closes the active segment and starts a new one at <see cref="LogEndOffset"/> (no-op when the active one is empty).</summary>
    public void Roll()
    {
        using var scope = _locks.Write();
        if (!_segments[^1].IsEmpty)
        {
            _fence.Guard(RollLocked);
        }
    }

    /// <summary>Flushes, writes the indexes and a clean-shutdown marker, and releases the directory.</summary>
    public void Dispose()
    {
        using (_locks.Close())
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            if (!_fence.IsFenced)
            {
                try
                {
                    _segments[^1].Seal();
                    CleanShutdownMarker.Write(_fileSystem, Directory);
                }
                catch (IOException)
                {
                    // Without the marker the next open verifies the active segment: nothing is lost.
                }
            }

            foreach (var segment in _segments)
            {
                segment.Dispose();
            }

            _aborted.Dispose();

            _directoryLock.Dispose();
            _fence.Close();
        }

        _commit.Dispose();
    }

    private LogAppendInfo AppendValidated(ReadOnlyMemory<byte> batches, int leaderEpoch, bool assignOffsets)
    {
        var config = Config;
        var count = RecordBatchValidator.Validate(batches.Span, config.MaxMessageBytes, producerBatch: assignOffsets);
        if (!assignOffsets)
        {
            // A follower's batches come from a leader that validated, recompressed and stamped them (or, from
            // an older leader, are the log itself, as stored).
            using var followerScope = _locks.Write();
            return AppendLocked(batches, count, leaderEpoch, assignOffsets, config, NoTimestamp);
        }

        // A producer's batches are walked record by record before anything is written. Under LogAppendTime
        // the producer's times are replaced, so they are not checked against the window (Kafka's rule).
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var logAppendTime = config.TimestampType == TimestampType.LogAppendTime;
        var limits = (logAppendTime
            ? new RecordLimits(RecordLimits.DefaultMaxUncompressedBytes, now, long.MaxValue, long.MaxValue)
            : new RecordLimits(RecordLimits.DefaultMaxUncompressedBytes, now, config.MessageTimestampBeforeMaxMs, config.MessageTimestampAfterMaxMs)) with { RequireKeys = config.Compact };
        RecordBatchValidator.ValidateRecordsOfEach(batches.Span, limits);
        var stored = StoredCodec.Apply(batches, config, out var rewritten);
        using (rewritten)
        {
            using var scope = _locks.Write();
            return AppendLocked(stored, count, leaderEpoch, assignOffsets, config, logAppendTime ? now : NoTimestamp);
        }
    }

    private LogAppendInfo AppendLocked(ReadOnlyMemory<byte> batches, int count, int leaderEpoch, bool assignOffsets, LogConfig config, long logAppendTime)
    {
        if (_placements.Length < count)
        {
            _placements = new BatchPlacement[count];
        }

        var span = batches.Span;
        var nextOffset = _logEndOffset;
        var firstOffset = -1L;
        var maxTimestamp = NoTimestamp;
        var position = 0;
        for (var i = 0; i < count; i++)
        {
            var header = RecordBatchHeader.Read(span[position..]);
            var baseOffset = assignOffsets ? nextOffset : header.BaseOffset;
            if (!assignOffsets && baseOffset < nextOffset)
            {
                throw new OrleansLogException(ErrorCode.InvalidRecord, $"A replicated batch starts at offset {baseOffset}, below the log end offset {nextOffset}.");
            }

            if (header.SizeInBytes > config.SegmentBytes)
            {
                throw new OrleansLogException(ErrorCode.RecordListTooLarge, $"The record batch is {header.SizeInBytes} bytes, larger than segment.bytes {config.SegmentBytes}.");
            }

            var batchTimestamp = logAppendTime == NoTimestamp ? header.MaxTimestamp : logAppendTime;
            firstOffset = i == 0 ? baseOffset : firstOffset;
            _placements[i] = new BatchPlacement(baseOffset, baseOffset + header.LastOffsetDelta, batchTimestamp, header.SizeInBytes);
            maxTimestamp = Math.Max(maxTimestamp, batchTimestamp);
            nextOffset = baseOffset + header.LastOffsetDelta + 1;
            position += header.SizeInBytes;
        }

        var placements = _placements.AsSpan(0, count);
        try
        {
            _epochs.AssignFrom(span, placements, leaderEpoch, assignOffsets);
            MaybeRoll(position, placements[0], placements[^1].LastOffset, config);
            _segments[^1].Append(_stamper.Gather(batches, placements, leaderEpoch, assignOffsets, logAppendTime), placements);
        }
        catch (Exception e) when (LogFence.IsStorageFailure(e))
        {
            throw _fence.FenceWith(e);
        }

        Volatile.Write(ref _logEndOffset, nextOffset);
        return new LogAppendInfo(firstOffset, nextOffset - 1, maxTimestamp, count, position, logAppendTime);
    }

    private void MaybeRoll(int appendBytes, BatchPlacement first, long lastOffset, LogConfig config)
    {
        var active = _segments[^1];
        if (active.IsEmpty)
        {
            if (active.BaseOffset != first.BaseOffset && !active.CanHold(lastOffset))
            {
                ReplaceEmptyActive(first.BaseOffset);
            }

            _segments[^1].RollClockStartMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
            return;
        }

        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var tooBig = active.Size + appendBytes > config.SegmentBytes;
        var tooOld = active.RollClockStartMs >= 0 && now - active.RollClockStartMs > config.SegmentMs;
        if (tooBig || tooOld || !active.CanHold(lastOffset))
        {
            RollLocked(first.BaseOffset);
        }
    }

    private void RollLocked() => RollLocked(_logEndOffset);

    private void RollLocked(long baseOffset)
    {
        _segments[^1].Seal();
        var next = LogSegment.Create(_fileSystem, Directory, baseOffset, Config.IndexIntervalBytes);
        _fileSystem.FlushDirectory(Directory);
        _segments = _segments.Add(next);
    }

    private void ReplaceEmptyActive(long baseOffset)
    {
        var active = _segments[^1];
        active.Delete();
        _segments = _segments.SetItem(_segments.Length - 1, LogSegment.Create(_fileSystem, Directory, baseOffset, Config.IndexIntervalBytes));
        _fileSystem.FlushDirectory(Directory);
    }

    /// <summary>
    /// The group commit's fsync: holds the file lock (not the read-write lock, so appends go on), and
    /// reports what it made durable before releasing it, so a truncation cannot slip in between.
    /// </summary>
    private void FlushActiveSegment()
    {
        using (_locks.FileLifetime())
        {
            // Everything appended before the waiters asked is below this target: they appended, then asked.
            long target;
            LogSegment active;
            using (_locks.Read())
            {
                target = _logEndOffset;
                active = _segments[^1];
            }

            active.Flush();
            _commit.MarkFlushed(target);
        }
    }

    private void ResetTo(long offset)
    {
        _fence.Guard(() =>
        {
            LogStartCheckpoint.Write(_fileSystem, Directory, offset);
            _epochs.Clear();
            for (var i = _segments.Length - 1; i >= 0; i--)
            {
                _segments[i].Delete();
            }

            _segments = [LogSegment.Create(_fileSystem, Directory, offset, Config.IndexIntervalBytes)];
            _fileSystem.FlushDirectory(Directory);
            SegmentsCutBack(offset);
        });
        _logStartOffset = offset;
        _logEndOffset = offset;
        _commit.Reset(offset);
    }

    private int DeleteOldestSegments(int count, long newLogStartOffset)
    {
        _fence.Guard(() =>
        {
            // The checkpoint goes first: a crash between it and the deletions leaves files that are merely unreadable below the start.
            LogStartCheckpoint.Write(_fileSystem, Directory, newLogStartOffset);
            _epochs.TruncateFromStart(newLogStartOffset);
            for (var i = 0; i < count; i++)
            {
                _segments[i].Delete();
            }

            _segments = _segments.RemoveRange(0, count);
            _fileSystem.FlushDirectory(Directory);
            _aborted.TrimBefore(newLogStartOffset);
            _segmentsReplaced++;
        });
        Volatile.Write(ref _logStartOffset, newLogStartOffset);
        return count;
    }
}
