using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansLog.Server.Hosting;
using OrleansLog.Server.Partitions;

namespace OrleansLog.Server.Replication;

/// <summary>
/// Every <see cref="ReplicationOptions.HighWatermarkCheckpointInterval"/>, and once more when the broker
/// stops, writes the high watermark this broker knows (as leader or follower) into each open log's
/// checkpoint, so a leader that starts after a whole-cluster restart serves what was committed at once
/// (<see cref="Storage.PartitionLog.CheckpointedHighWatermark"/>) instead of answering LATEST with the log start.
/// A log whose high watermark did not move is not written.
/// </summary>
public sealed partial class HighWatermarkCheckpointer(
    LogManager logs,
    LocalReplicas replicas,
    IOptions<ReplicationOptions> options,
    TimeProvider time,
    ILogger<HighWatermarkCheckpointer> logger) : PeriodicPass(options.Value.HighWatermarkCheckpointInterval, time, logger)
{
    /// <summary>One pass over every open log; returns how many it considered.</summary>
    public int RunOnce()
    {
        var count = 0;
        foreach (var (partition, topicId, log) in logs.OpenLogs())
        {
            if (replicas.TryGet(partition, topicId) is { } replica && replica.HighWatermark > 0)
            {
                try
                {
                    log.CheckpointHighWatermark(Math.Min(replica.HighWatermark, log.LogEndOffset));
                }
                catch (OrleansLogException e)
                {
                    // An offline (fenced) or closed log: its storage error is reported where it is used.
                    LogCheckpointSkipped(partition.DirectoryName, e.Message);
                }
            }

            count++;
        }

        return count;
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        RunOnce();
    }

    protected override Task PassAsync()
    {
        RunOnce();
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Partition}: high watermark not checkpointed ({Reason}).")]
    private partial void LogCheckpointSkipped(string partition, string reason);
}
