using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansLog.Metadata;
using OrleansLog.Partitions;
using OrleansLog.Server.Brokers;
using OrleansLog.Server.Hosting;
using OrleansLog.Server.Partitions;
using OrleansLog.Server.Replication;
using OrleansLog.Storage;
using OrleansLog.Storage.Compaction;

namespace OrleansLog.Server.Compaction;

/// <summary>
/// The broker's log cleaner (Kafka's <c>LogCleaner</c> and its manager): every <see cref="CleanerOptions.Backoff"/> it
/// looks at each compacted log this broker holds, leader or follower (followers clean their own copy, as in Kafka),
/// and cleans those that are due (<see cref="CleanableSection.IsDue"/>), the ones past <c>max.compaction.lag.ms</c>
/// first, then the dirtiest, <see cref="CleanerOptions.Threads"/> at a time, each thread with its own key map and all
/// under one I/O rate limit. The bound of each pass is the replica's high watermark, so nothing a consumer may not read
/// yet is touched. An open log is cleaned in place, concurrently with its appends and reads; a closed one is opened only
/// when a look at its files says it may be due (<see cref="CleanableOnDisk"/>), and closed again after.
/// <para>Passes never overlap (<see cref="PeriodicPass"/>); within one, a log is cleaned by one thread.</para>
/// </summary>
public sealed partial class LogCleanerService(
    IGrainFactory grains,
    LogManager logs,
    LocalReplicas replicas,
    CleanerMetrics metrics,
    IOptions<CleanerOptions> options,
    IOptions<BrokerOptions> broker,
    TimeProvider time,
    ILogger<LogCleanerService> logger) : PeriodicPass(options.Value.Backoff, time, logger)
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentBag<OffsetMap> _maps = [];
    private readonly CleanerThrottle _throttle = options.Value.IoMaxBytesPerSecond is { } rate ? new CleanerThrottle(rate, time) : CleanerThrottle.Unlimited;

    /// <summary>One pass: looks at every compacted log held here and cleans the due ones. Returns what each cleaning did.</summary>
    public async Task<IReadOnlyList<(TopicPartition Partition, CleanResult Result)>> RunOnce()
    {
        if (!options.Value.Enabled)
        {
            return [];
        }

        var topics = await grains.GetGrain<IMetadataGrain>(IMetadataGrain.ClusterKey).ListTopics();
        var opened = new List<(TopicPartition Partition, PartitionLog Log)>();
        var due = new List<Candidate>();
        var seen = new HashSet<TopicPartition>();
        var now = Time.GetUtcNow().ToUnixTimeMilliseconds();
        try
        {
            foreach (var topic in topics.Where(t => t.Config.Compacts))
            {
                var config = topic.Config.ToLogConfig();
                foreach (var partition in topic.Partitions.Where(p => p.Replicas.Contains(broker.Value.Id)))
                {
                    var id = new TopicPartition(topic.Name, partition.Partition);
                    if (Look(id, topic, config, now, opened) is { } candidate)
                    {
                        seen.Add(id);
                        metrics.Inspected(id, candidate.Section);
                        if (candidate.Section.IsDue(candidate.Log.Config))
                        {
                            due.Add(candidate);
                        }
                    }
                }
            }

            metrics.KeepOnly(seen);
            var results = new ConcurrentBag<(TopicPartition, CleanResult)>();
            var order = due.OrderByDescending(c => c.Section.PastMaxCompactionLag).ThenByDescending(c => c.Section.DirtyRatio);
            await Parallel.ForEachAsync(order, new ParallelOptions { MaxDegreeOfParallelism = options.Value.Threads, CancellationToken = _stopping.Token }, async (candidate, token) =>
            {
                if (await Clean(candidate, token) is { } result)
                {
                    results.Add((candidate.Partition, result));
                }
            });
            return [.. results];
        }
        finally
        {
            foreach (var (partition, log) in opened)
            {
                await logs.Release(partition, log, log.CheckpointedHighWatermark);
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await base.StopAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _stopping.Dispose();
        base.Dispose();
    }

    protected override Task PassAsync() => RunOnce();

    /// <summary>The log and what is cleanable in it: open already, or opened because its files say a pass may be due; null otherwise.</summary>
    private Candidate? Look(TopicPartition partition, TopicDescription topic, LogConfig config, long nowMs, List<(TopicPartition, PartitionLog)> opened)
    {
        try
        {
            var log = logs.TryGetOpen(partition, topic.TopicId);
            if (log is null)
            {
                if (!CleanableOnDisk.MayBeDue(Path.Combine(logs.Directory, partition.DirectoryName), config, nowMs))
                {
                    return null;
                }

                log = logs.Acquire(partition, topic);
                opened.Add((partition, log));
            }

            log.RollIfPastMaxCompactionLag();

            // A replica that is open knows its high watermark; a log opened here only for cleaning has its checkpoint.
            var highWatermark = replicas.TryGet(partition, topic.TopicId) is { HighWatermark: > 0 } replica ? Math.Min(replica.HighWatermark, log.LogEndOffset) : log.CheckpointedHighWatermark;
            return new Candidate(partition, log, highWatermark, log.InspectCleanable(highWatermark));
        }
        catch (OrleansLogException e)
        {
            // Offline, closing, or the broker short of memory or handles: the next pass looks again.
            LogSkipped(partition.DirectoryName, e.Message);
            return null;
        }
    }

    private async Task<CleanResult?> Clean(Candidate candidate, CancellationToken cancellationToken)
    {
        var map = _maps.TryTake(out var pooled) ? pooled : new OffsetMap(options.Value.DedupeBufferSize / options.Value.Threads, options.Value.DedupeBufferLoadFactor);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var result = await candidate.Log.CleanAsync(map, candidate.HighWatermark, _throttle, cancellationToken);
            var after = candidate.Log.InspectCleanable(candidate.HighWatermark).DirtyRatio;
            var milliseconds = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            metrics.Ran(candidate.Partition, result, after);
            if (result.Abandoned is { } reason)
            {
                LogAbandoned(candidate.Partition.DirectoryName, reason);
            }
            else
            {
                LogCleaned(candidate.Partition.DirectoryName, result.BytesRead, result.BytesWritten, result.SegmentsReplaced, result.SegmentsWritten, candidate.Section.DirtyRatio, result.CleanedTo, milliseconds);
            }

            return result;
        }
        catch (OrleansLogException e)
        {
            // The log was closed or went offline under the pass: what it wrote is discarded when the log is next opened.
            metrics.Failed();
            LogFailed(candidate.Partition.DirectoryName, e.Message);
            return null;
        }
        finally
        {
            _maps.Add(map);
        }
    }

    private sealed record Candidate(TopicPartition Partition, PartitionLog Log, long HighWatermark, CleanableSection Section);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Partition}: cleaned {BytesRead} bytes read into {BytesWritten} bytes ({SegmentsReplaced} segments into {SegmentsWritten}); the dirty ratio was {DirtyRatio:F2}; clean up to offset {CleanedTo}; {Milliseconds:F0} ms.")]
    private partial void LogCleaned(string partition, long bytesRead, long bytesWritten, int segmentsReplaced, int segmentsWritten, double dirtyRatio, long cleanedTo, double milliseconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Partition}: the cleaner pass stopped: {Reason}. The next pass starts over.")]
    private partial void LogAbandoned(string partition, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Partition}: the cleaner pass failed: {Reason}")]
    private partial void LogFailed(string partition, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Partition}: not looked at by the cleaner this pass ({Reason}).")]
    private partial void LogSkipped(string partition, string reason);
}
