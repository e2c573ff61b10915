using System.Collections.Concurrent;
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
/// partition and follower grains on this silo share logs through it). Each partition directory carries
/// a <c>partition.metadata</c> file with its topic id, so a directory left by a deleted topic is wiped
/// rather than served to a new topic of the same name. Thread-safe; disposing closes every log cleanly.
/// </summary>
public sealed partial class LogManager : IDisposable
{
    private const string PartitionMetadataFile = "partition.metadata";
    private const uint PartitionMetadataMagic = 0x4F4C504D; // "OLPM"

    private readonly ConcurrentDictionary<string, PartitionLog> _logs = new(StringComparer.Ordinal);
    private readonly Lock _openLock = new();
    private readonly ILogger<LogManager> _logger;
    private bool _disposed;

    public LogManager(IOptions<OrleansLogOptions> options, ILogger<LogManager> logger)
    {
        _logger = logger;
        Directory = options.Value.LogDirectory;
        System.IO.Directory.CreateDirectory(Directory);
    }

    public string Directory { get; }

    /// <summary>
    /// Opens (or returns the open) log of a partition of <paramref name="topic"/>, running with the topic's
    /// current config: a log already open (from an earlier activation, or from this broker's other replica
    /// grain) may still have the config it was opened with.
    /// </summary>
    public PartitionLog GetOrOpen(TopicPartition partition, TopicDescription topic)
    {
        var config = topic.Config.ToLogConfig();
        if (_logs.TryGetValue(partition.DirectoryName, out var open))
        {
            open.UpdateConfig(config);
            return open;
        }

        var topicId = topic.TopicId;
        lock (_openLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_logs.TryGetValue(partition.DirectoryName, out open))
            {
                open.UpdateConfig(config);
                return open;
            }

            var path = Path.Combine(Directory, partition.DirectoryName);
            var storedId = ReadTopicId(path);
            if (storedId is { } id && id != topicId)
            {
                LogStaleDirectory(partition.DirectoryName, id, topicId);
                System.IO.Directory.Delete(path, recursive: true);
            }

            var log = PartitionLog.Open(path, config);
            if (storedId != topicId)
            {
                ChecksummedFile.WriteAtomic(DiskFileSystem.Instance, Path.Combine(path, PartitionMetadataFile), PartitionMetadataMagic, 1, topicId.ToByteArray());
            }

            if (log.Recovery.WasUnclean)
            {
                LogRecovered(partition.DirectoryName, log.Recovery.TruncatedBytes, log.Recovery.RebuiltIndexes, log.LogEndOffset);
            }

            _logs[partition.DirectoryName] = log;
            return log;
        }
    }

    /// <summary>Closes and deletes a partition's log directory.</summary>
    /// <summary>Bytes of every open log, for the log-size metric.</summary>
    public long TotalSizeInBytes()
    {
        long total = 0;
        foreach (var log in _logs.Values)
        {
            total += log.SizeInBytes;
        }

        return total;
    }

    public void Delete(TopicPartition partition)
    {
        lock (_openLock)
        {
            if (_logs.TryRemove(partition.DirectoryName, out var log))
            {
                log.Dispose();
            }

            var path = Path.Combine(Directory, partition.DirectoryName);
            if (System.IO.Directory.Exists(path))
            {
                System.IO.Directory.Delete(path, recursive: true);
            }
        }
    }

    /// <summary>Partition directories on disk with their topic ids (null when unreadable): for cleaning up after deleted topics.</summary>
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
        lock (_openLock)
        {
            _disposed = true;
            foreach (var log in _logs.Values)
            {
                log.Dispose();
            }

            _logs.Clear();
        }
    }

    private static Guid? ReadTopicId(string path)
    {
        if (!System.IO.Directory.Exists(path))
        {
            return null;
        }

        var payload = ChecksummedFile.TryRead(DiskFileSystem.Instance, Path.Combine(path, PartitionMetadataFile), PartitionMetadataMagic, 1);
        return payload is { Length: 16 } ? new Guid(payload) : null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Partition directory {Directory} belonged to topic id {OldId}, not {NewId}: deleting the stale data.")]
    private partial void LogStaleDirectory(string directory, Guid oldId, Guid newId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Recovered {Directory} after an unclean shutdown: cut {TruncatedBytes} bytes, rebuilt {RebuiltIndexes} indexes, log end offset {LogEndOffset}.")]
    private partial void LogRecovered(string directory, long truncatedBytes, int rebuiltIndexes, long logEndOffset);
}
