using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansLog.Metadata;
using OrleansLog.Partitions;
using OrleansLog.Server.Hosting;
using OrleansLog.Storage;
using OrleansLog.Storage.IO;

namespace OrleansLog.Server.Partitions;

/// <summary>
/// The silo-local owner of the broker's log directory and its open <see cref="PartitionLog"/>s (not a grain:
/// partition and follower grains on this silo share logs through it). Logs are keyed by topic identity, not
/// only by name (KIP-516): each partition directory carries a <c>partition.metadata</c> file with its topic
/// id, and a log of an older topic of the same name (deleted and recreated while this broker missed the
/// delete) is never served to the new one. Data that is not deleted on purpose is never deleted at once:
/// a stale or orphaned directory is renamed <c>&lt;partition&gt;.&lt;unix ms&gt;-stray</c> and removed only
/// after a grace period (<see cref="RemoveExpiredStrays"/>), with one log line each.
/// An open log lives as long as an activation uses it (<see cref="Acquire"/>, <see cref="Release"/>); the last
/// release queues its close on the <see cref="LogCloser"/>'s threads, and an acquire before it ran takes the log back.
/// Thread-safe: opening, closing and setting aside a partition's log hold a lock of that partition's stripe only
/// (opening and closing a log syncs several files, so with one lock for all a broker opened its partitions one at
/// a time; a thousand partitions activated at once now open side by side). Disposing closes every log cleanly.
/// </summary>
public sealed partial class LogManager : IDisposable
{
    private const string PartitionMetadataFile = "partition.metadata";
    private const uint PartitionMetadataMagic = 0x4F4C504D; // "OLPM"
    private const string StraySuffix = "-stray";

    private readonly ConcurrentDictionary<string, OpenLog> _logs = new(StringComparer.Ordinal);
    private const int Stripes = 64;
    private readonly Lock[] _gates = [.. Enumerable.Range(0, Stripes).Select(_ => new Lock())];
    private readonly TimeProvider _time;
    private readonly MemoryPressure _memory;
    private readonly LogCloser _closer;
    private readonly ILogger<LogManager> _logger;
    private readonly IDisposable _directoryLock;
    private bool _disposed;

    public LogManager(IOptions<OrleansLogOptions> options, ILogger<LogManager> logger, TimeProvider? time = null, MemoryPressure? memory = null, LogCloser? closer = null)
    {
        _closer = closer ?? new LogCloser();
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _memory = memory ?? new MemoryPressure();
        Directory = options.Value.LogDirectory;
        System.IO.Directory.CreateDirectory(Directory);
        var configured = options.Value.MaxOpenSegmentFiles;
        var (limit, open) = (FileLimit.Current(), FileLimit.OpenNow());
        Files = new HandleCachingFileSystem(DiskFileSystem.Instance, FileLimit.SegmentFileBudget(configured, limit, open));
        LogSegmentFileBudget(Files.Capacity, configured, limit ?? -1, open ?? -1);
        try
        {
            // One lock over every log, instead of one handle per open log.
            _directoryLock = DiskFileSystem.Instance.LockDirectory(Directory);
        }
        catch (IOException e)
        {
            throw new OrleansLogException(ErrorCode.KafkaStorageError, $"The log directory {Directory} is in use by another process.", e);
        }
    }

    public string Directory { get; }

    /// <summary>The file system every log opens its files through: segment files share <see cref="OrleansLogOptions.MaxOpenSegmentFiles"/> handles.</summary>
    public HandleCachingFileSystem Files { get; }

    /// <summary>
    /// Opens (or returns the open) log of a partition of <paramref name="topic"/> for one more user (a partition
    /// or follower grain's activation), running with the topic's current config: a log already open (from this
    /// broker's other replica grain) may still have the config it was opened with. A log of another topic id under
    /// the same name, open or on disk, is closed and set aside as stray first. Each call is paired with one
    /// <see cref="Release"/>: a log no activation uses is closed, so an idle partition holds no file and no memory.
    /// A log that is not open is refused with a retriable KAFKA_STORAGE_ERROR while the broker is short of memory
    /// (<see cref="MemoryPressure"/>) or of file handles: partitions already open go on being served.
    /// </summary>
    public PartitionLog Acquire(TopicPartition partition, TopicDescription topic)
    {
        var config = topic.Config.ToLogConfig();
        var topicId = topic.TopicId;
        lock (Gate(partition))
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_logs.TryGetValue(partition.DirectoryName, out var open))
            {
                if (open.TopicId == topicId)
                {
                    // Released and not closed yet: taken back, its close is called off.
                    open.Users++;
                    open.CallOffClose();
                    open.Log.UpdateConfig(config);
                    return open.Log;
                }

                _logs.TryRemove(partition.DirectoryName, out _);
                open.Abandon();
            }

            if (_memory.IsHigh(out var load, out var threshold))
            {
                LogShortOfMemory(partition.DirectoryName, _logs.Count, load >> 20, threshold >> 20);
                throw new OrleansLogException(ErrorCode.KafkaStorageError, $"The broker is short of memory ({load >> 20} MiB in use, {threshold >> 20} MiB is its limit) and does not open {partition.DirectoryName} now. Retry; memory frees as partitions fall idle.");
            }

            PartitionLog log;
            try
            {
                log = Open(partition, topicId, config);
            }
            catch (Exception e) when (e is IOException io && HandleCachingFileSystem.IsOutOfHandles(io) || e is OrleansLogException { InnerException: IOException cause } && HandleCachingFileSystem.IsOutOfHandles(cause))
            {
                // Out of file handles: refuse this partition's work for now (retriable), keep serving what is open.
                LogOutOfHandles(partition.DirectoryName, _logs.Count, Files.OpenHandles, e.Message);
                throw e as OrleansLogException ?? HandleCachingFileSystem.OutOfHandles(partition.DirectoryName, (IOException)e);
            }

            if (log.Recovery.WasUnclean)
            {
                LogRecovered(partition.DirectoryName, log.Recovery.TruncatedBytes, log.Recovery.RebuiltIndexes, log.LogEndOffset);
            }

            _logs[partition.DirectoryName] = new OpenLog(log, topicId) { Users = 1 };
            return log;
        }
    }

    /// <summary>
    /// One user of <paramref name="log"/> is done with it. The last one's release queues a clean close (on the
    /// closer's threads, not the caller's): <paramref name="beforeClose"/> runs first (a producer state snapshot),
    /// then <paramref name="highWatermark"/> is kept in its checkpoint when it is known, and the log is closed with
    /// its indexes written and a clean shutdown marker, so the next open reads no segment. An acquire before the
    /// close ran takes the log back and calls the close off (<paramref name="beforeClose"/> then never runs: what it
    /// saves can be rebuilt from the log). A log that was deleted or replaced meanwhile is left as it is.
    /// Returns a task that completes when the queued close ran or was called off (at once when the log stays in use).
    /// </summary>
    public Task Release(TopicPartition partition, PartitionLog log, long highWatermark, Action? beforeClose = null)
    {
        OpenLog? open;
        Task closing;
        lock (Gate(partition))
        {
            if (!_logs.TryGetValue(partition.DirectoryName, out open) || !ReferenceEquals(open.Log, log) || --open.Users > 0)
            {
                return Task.CompletedTask;
            }

            // Read under the lock: an acquire right after it may call the close off (and clear it).
            closing = open.AskClose(highWatermark, beforeClose);
        }

        // After the closer stopped (the broker is shutting down) the log stays queued: Dispose closes it.
        _closer.TryEnqueue(() => CloseIfStillReleased(partition, open));
        return closing;
    }

    /// <summary>Closes queued and not yet run.</summary>
    public int PendingCloses => _closer.Pending;

    /// <summary>The closer's work for one release: closes the log unless it was taken back, replaced or deleted since.</summary>
    private void CloseIfStillReleased(TopicPartition partition, OpenLog open)
    {
        lock (Gate(partition))
        {
            if (open.Closing is null || !_logs.TryGetValue(partition.DirectoryName, out var current) || !ReferenceEquals(current, open))
            {
                return;
            }

            _logs.TryRemove(partition.DirectoryName, out _);
            Close(partition, open);
        }
    }

    /// <summary>The clean close a release asked for; never throws.</summary>
    private void Close(TopicPartition partition, OpenLog open)
    {
        try
        {
            open.BeforeClose?.Invoke();
            if (open.CloseHighWatermark > 0)
            {
                open.Log.CheckpointHighWatermark(Math.Min(open.CloseHighWatermark, open.Log.LogEndOffset));
            }
        }
        catch (Exception e) when (e is OrleansLogException or IOException)
        {
            // Only a whole-cluster restart reads it, and then from an older checkpoint: nothing is lost.
            LogCloseCheckpointFailed(partition.DirectoryName, e.Message);
        }

        open.Abandon();
    }

    private PartitionLog Open(TopicPartition partition, Guid topicId, LogConfig config)
    {
        var path = Path.Combine(Directory, partition.DirectoryName);
        var storedId = ReadTopicId(path);
        if (storedId is { } id && id != topicId)
        {
            LogStaleDirectory(partition.DirectoryName, id, topicId);
            SetAsideLocked(partition);
        }

        var log = PartitionLog.Open(path, config, Files, lockDirectory: false);
        if (storedId != topicId)
        {
            ChecksummedFile.WriteAtomic(DiskFileSystem.Instance, Path.Combine(path, PartitionMetadataFile), PartitionMetadataMagic, 1, topicId.ToByteArray());
        }

        return log;
    }

    /// <summary>How many logs are open now.</summary>
    public int OpenCount => _logs.Count;

    /// <summary>Bytes of every open log, for the log-size metric.</summary>
    public long TotalSizeInBytes()
    {
        long total = 0;
        foreach (var open in _logs.Values)
        {
            total += open.Log.SizeInBytes;
        }

        return total;
    }

    /// <summary>Every open log with its partition and topic id (a snapshot).</summary>
    public IEnumerable<(TopicPartition Partition, Guid TopicId, PartitionLog Log)> OpenLogs()
    {
        foreach (var (name, open) in _logs)
        {
            if (TopicPartition.TryParseDirectoryName(name, out var partition))
            {
                yield return (partition, open.TopicId, open.Log);
            }
        }
    }

    /// <summary>
    /// Applies retention to the log of <paramref name="partition"/> if it is open for <paramref name="topicId"/>, without
    /// asking its grain (a call would count as use and keep an idle partition from deactivating); null when it is not
    /// open. The log serialises retention against its appends and reads itself.
    /// </summary>
    public Storage.Retention.RetentionResult? ApplyRetentionIfOpen(TopicPartition partition, Guid topicId) =>
        _logs.TryGetValue(partition.DirectoryName, out var open) && open.TopicId == topicId ? open.Log.ApplyRetention() : null;

    /// <summary>The log of <paramref name="partition"/> when it is open for topic <paramref name="topicId"/>, without taking it (no <see cref="Release"/> follows).</summary>
    public PartitionLog? TryGetOpen(TopicPartition partition, Guid topicId) =>
        _logs.TryGetValue(partition.DirectoryName, out var open) && open.TopicId == topicId ? open.Log : null;

    /// <summary>Whether the log of <paramref name="partition"/> is open for topic <paramref name="topicId"/>.</summary>
    public bool IsOpen(TopicPartition partition, Guid topicId) => _logs.TryGetValue(partition.DirectoryName, out var open) && open.TopicId == topicId;

    /// <summary>Closes and deletes a partition's log directory: the coordinator deleted its topic.</summary>
    public void Delete(TopicPartition partition)
    {
        lock (Gate(partition))
        {
            if (_logs.TryRemove(partition.DirectoryName, out var open))
            {
                open.Abandon();
            }

            var path = Path.Combine(Directory, partition.DirectoryName);
            if (System.IO.Directory.Exists(path))
            {
                System.IO.Directory.Delete(path, recursive: true);
            }
        }
    }

    /// <summary>
    /// Closes the partition's log if it is open for <paramref name="topicId"/> (or whatever is open, when
    /// null) and renames its directory to a stray, to be removed after the grace period. Returns false when
    /// a log of another topic id is open there (someone serves it: leave it alone).
    /// </summary>
    public bool SetAside(TopicPartition partition, Guid? topicId, string reason)
    {
        lock (Gate(partition))
        {
            if (_logs.TryGetValue(partition.DirectoryName, out var open))
            {
                if (topicId is { } id && open.TopicId != id)
                {
                    return false;
                }

                _logs.TryRemove(partition.DirectoryName, out _);
                open.Abandon();
            }

            LogSetAside(partition.DirectoryName, reason);
            SetAsideLocked(partition);
            return true;
        }
    }

    /// <summary>Deletes stray directories set aside longer ago than <paramref name="grace"/>; returns how many.</summary>
    public int RemoveExpiredStrays(TimeSpan grace)
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var removed = 0;
        foreach (var path in System.IO.Directory.GetDirectories(Directory, "*" + StraySuffix))
        {
            var name = Path.GetFileName(path);
            var dot = name.LastIndexOf('.');
            if (dot > 0 && long.TryParse(name.AsSpan(dot + 1, name.Length - dot - 1 - StraySuffix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var since) && now - since >= grace.TotalMilliseconds)
            {
                System.IO.Directory.Delete(path, recursive: true);
                LogStrayRemoved(name);
                removed++;
            }
        }

        return removed;
    }

    /// <summary>Partition directories on disk with their topic ids (null when unreadable): for cleaning up after deleted topics. Strays are not listed.</summary>
    public IEnumerable<(TopicPartition Partition, Guid? TopicId)> ListDirectories()
    {
        foreach (var path in System.IO.Directory.GetDirectories(Directory))
        {
            if (TopicPartition.TryParseDirectoryName(Path.GetFileName(path), out var partition))
            {
                yield return (partition, ReadTopicId(path));
            }
        }
    }

    public void Dispose()
    {
        // Queued closes run first (the closer takes each stripe's lock), then what is left is closed here.
        _closer.Dispose();

        // Every stripe, always in the same order (nothing else holds two): no open or close is half done.
        foreach (var gate in _gates)
        {
            gate.Enter();
        }

        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (var (name, open) in _logs)
            {
                if (open.Closing is not null && TopicPartition.TryParseDirectoryName(name, out var partition))
                {
                    Close(partition, open);
                }
                else
                {
                    open.Abandon();
                }
            }

            _logs.Clear();
            _directoryLock.Dispose();
        }
        finally
        {
            foreach (var gate in _gates)
            {
                gate.Exit();
            }
        }
    }

    /// <summary>The lock of the stripe <paramref name="partition"/> falls in.</summary>
    private Lock Gate(TopicPartition partition) => _gates[(int)((uint)StringComparer.Ordinal.GetHashCode(partition.DirectoryName) % Stripes)];

    private void SetAsideLocked(TopicPartition partition)
    {
        var path = Path.Combine(Directory, partition.DirectoryName);
        if (System.IO.Directory.Exists(path))
        {
            var stray = Path.Combine(Directory, $"{partition.DirectoryName}.{_time.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)}{StraySuffix}");
            System.IO.Directory.Move(path, stray);
            DiskFileSystem.Instance.FlushDirectory(Directory);
        }
    }

    /// <summary>
    /// The topic id a partition directory belongs to, or null when it has none (yet). A damaged file is
    /// <see cref="DamagedFileException"/>: read as "no id", the directory could be adopted by another topic.
    /// </summary>
    public static Guid? ReadTopicId(string path)
    {
        if (!System.IO.Directory.Exists(path))
        {
            return null;
        }

        var file = Path.Combine(path, PartitionMetadataFile);
        const string What = "partition metadata (the topic id of the partition's directory)";
        const string Remedy = "Restore it from a backup, or remove the partition's directory so the replica is copied again from its leader.";
        return ChecksummedFile.Read(DiskFileSystem.Instance, file, PartitionMetadataMagic, 1, What, Remedy) switch
        {
            null => null,
            { Length: 16 } payload => new Guid(payload),
            _ => throw new DamagedFileException(file, What, Remedy),
        };
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Partition directory {Directory} belonged to topic id {OldId}, not {NewId}: setting the stale data aside as a stray.")]
    private partial void LogStaleDirectory(string directory, Guid oldId, Guid newId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Recovered {Directory} after an unclean shutdown: cut {TruncatedBytes} bytes, rebuilt {RebuiltIndexes} indexes, log end offset {LogEndOffset}.")]
    private partial void LogRecovered(string directory, long truncatedBytes, int rebuiltIndexes, long logEndOffset);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Set partition directory {Directory} aside as a stray: {Reason}.")]
    private partial void LogSetAside(string directory, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed stray directory {Directory} after its grace period.")]
    private partial void LogStrayRemoved(string directory);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Directory}: not opened, the broker is out of file handles ({OpenLogs} logs open, {CachedHandles} segment files held); its requests fail retriably until partitions fall idle: {Reason}")]
    private partial void LogOutOfHandles(string directory, int openLogs, int cachedHandles, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Directory}: not opened, the broker is short of memory ({OpenLogs} logs open, memory load {LoadMib} MiB against the GC's high-load threshold {ThresholdMib} MiB); its requests fail retriably until partitions fall idle.")]
    private partial void LogShortOfMemory(string directory, int openLogs, long loadMib, long thresholdMib);

    [LoggerMessage(Level = LogLevel.Information, Message = "Up to {Budget} segment files open at once (OrleansLog:MaxOpenSegmentFiles {Configured}; the file limit {Limit}, with {Open} in use, leaves room for it).")]
    private partial void LogSegmentFileBudget(int budget, int configured, long limit, int open);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Directory}: the high watermark was not checkpointed at close ({Reason}).")]
    private partial void LogCloseCheckpointFailed(string directory, string reason);

    /// <summary>
    /// An open log, the topic id it was opened for, how many activations use it, and the close its last release asked
    /// for (all changed under its stripe's lock).
    /// </summary>
    private sealed class OpenLog(PartitionLog log, Guid topicId)
    {
        public PartitionLog Log { get; } = log;

        public Guid TopicId { get; } = topicId;

        public int Users { get; set; }

        /// <summary>Set while a close is queued: completes when it ran or was called off.</summary>
        public TaskCompletionSource? Closing { get; private set; }

        public long CloseHighWatermark { get; private set; }

        public Action? BeforeClose { get; private set; }

        /// <summary>Asks for a close; returns the task that completes when it ran or was called off.</summary>
        public Task AskClose(long highWatermark, Action? beforeClose)
        {
            Closing ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            (CloseHighWatermark, BeforeClose) = (highWatermark, beforeClose);
            return Closing.Task;
        }

        public void CallOffClose()
        {
            Closing?.TrySetResult();
            (Closing, BeforeClose) = (null, null);
        }

        /// <summary>Closes the log as it is (no snapshot, no checkpoint) and completes a queued close.</summary>
        public void Abandon()
        {
            Log.Dispose();
            CallOffClose();
        }
    }
}
