using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansLog.Metadata;
using OrleansLog.Partitions;
using OrleansLog.Server.Hosting;
using OrleansLog.Server.Partitions;

namespace OrleansLog.Server.Retention;

/// <summary>
/// Runs retention over every partition this broker leads each <see cref="OrleansLogOptions.RetentionCheckInterval"/>
/// (followers follow their leader's log start), and removes partition directories that no current topic
/// places here (left by a topic deleted while this broker was down, or with a stale topic id).
/// </summary>
public sealed partial class RetentionService(
    IGrainFactory grains,
    LogManager logs,
    IOptions<OrleansLogOptions> options,
    IOptions<Brokers.BrokerOptions> broker,
    ILogger<RetentionService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.RetentionCheckInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await RunOnce();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogRetentionFailed(e);
            }
        }
    }

    /// <summary>One pass over every partition.</summary>
    public async Task RunOnce()
    {
        var topics = await grains.GetGrain<IMetadataGrain>(IMetadataGrain.ClusterKey).ListTopics();
        foreach (var topic in topics)
        {
            foreach (var partition in topic.Partitions.Where(p => p.Leader == broker.Value.Id))
            {
                await grains.GetPartitionGrain(topic.Name, partition.Partition).RunRetention();
            }
        }

        var byName = topics.ToDictionary(t => t.Name, StringComparer.Ordinal);
        foreach (var (partition, topicId) in logs.ListDirectories().ToList())
        {
            if (!byName.TryGetValue(partition.Topic, out var topic) || partition.Partition >= topic.PartitionCount || !topic.Partitions[partition.Partition].Replicas.Contains(broker.Value.Id) || (topicId is { } id && id != topic.TopicId))
            {
                LogOrphanRemoved(partition.DirectoryName);
                logs.Delete(partition);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Retention pass failed; it runs again at the next interval.")]
    private partial void LogRetentionFailed(Exception error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed partition directory {Directory}: no current topic owns it.")]
    private partial void LogOrphanRemoved(string directory);
}
