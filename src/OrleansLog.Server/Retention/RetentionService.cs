using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansLog.Metadata;
using OrleansLog.Partitions;
using OrleansLog.Server.Hosting;
using OrleansLog.Server.Partitions;
using OrleansLog.Storage.Retention;

namespace OrleansLog.Server.Retention;

/// <summary>
/// Runs retention over every partition this broker leads each <see cref="OrleansLogOptions.RetentionCheckInterval"/>
/// (followers follow their leader's log start): directly on the log when it is open, and for a closed log through
/// its leader only when a look at its files (<see cref="RetentionOnDisk"/>) says something may be deleted, so the
/// pass neither opens nor keeps active any idle partition. It sets aside partition directories that no current topic
/// places here (left by a topic deleted while this broker was down, or with a stale topic id).
/// <para>
/// The sweep never takes a live log: it lists the directories <em>before</em> it asks the coordinator for
/// the topics, so a topic created or grown while it runs is in the listing or its directory is not in the
/// sweep; a directory without a readable topic id is left alone; and a directory is only renamed to a stray,
/// removed after <see cref="OrleansLogOptions.StrayLogRetention"/>.
/// </para>
/// </summary>
public sealed partial class RetentionService(
    IGrainFactory grains,
    LogManager logs,
    IOptions<OrleansLogOptions> options,
    IOptions<Brokers.BrokerOptions> broker,
    TimeProvider time,
    ILogger<RetentionService> logger) : PeriodicPass(options.Value.RetentionCheckInterval, time, logger)
{
    protected override Task PassAsync() => RunOnce();

    /// <summary>One pass over every partition, then the sweep of directories no topic places here.</summary>
    public async Task RunOnce()
    {
        // Directories first, topics second: every directory listed here that a live topic owns is in the topic listing.
        var directories = logs.ListDirectories().ToList();
        var topics = await grains.GetGrain<IMetadataGrain>(IMetadataGrain.ClusterKey).ListTopics();
        var now = Time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var topic in topics)
        {
            var config = topic.Config.ToLogConfig();
            foreach (var partition in topic.Partitions.Where(p => p.Leader == broker.Value.Id))
            {
                // An open log gets retention here, without a call to its grain (which would keep an idle partition
                // active). A closed one is only woken when its files say retention may delete something.
                var id = new TopicPartition(topic.Name, partition.Partition);
                if (logs.ApplyRetentionIfOpen(id, topic.TopicId) is { DeletedSegments: > 0 } result)
                {
                    LogRetention(id.DirectoryName, result.DeletedSegments, result.DeletedBytes, result.LogStartOffset);
                }
                else if (!logs.IsOpen(id, topic.TopicId) && RetentionOnDisk.MayApply(Path.Combine(logs.Directory, id.DirectoryName), config, now))
                {
                    await grains.GetPartitionGrain(topic.Name, partition.Partition).RunRetention();
                }
            }
        }

        var byName = topics.ToDictionary(t => t.Name, StringComparer.Ordinal);
        foreach (var (partition, topicId) in directories)
        {
            if (OrphanReason(partition, topicId, byName) is { } reason)
            {
                logs.SetAside(partition, topicId, reason);
            }
        }

        logs.RemoveExpiredStrays(options.Value.StrayLogRetention);
    }

    /// <summary>Why the directory of <paramref name="partition"/> belongs to no current topic here, or null when it does (or cannot be known).</summary>
    private string? OrphanReason(TopicPartition partition, Guid? topicId, Dictionary<string, TopicDescription> topics)
    {
        if (topicId is not { } id)
        {
            return null;
        }

        if (!topics.TryGetValue(partition.Topic, out var topic))
        {
            return $"topic \"{partition.Topic}\" (id {id}) no longer exists";
        }

        if (topic.TopicId != id)
        {
            return $"it holds topic id {id}; the current topic \"{partition.Topic}\" is {topic.TopicId}";
        }

        return partition.Partition < topic.PartitionCount && !topic.Partitions[partition.Partition].Replicas.Contains(broker.Value.Id)
            ? $"broker {broker.Value.Id} is no longer a replica of it"
            : null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Partition}: retention deleted {Segments} segments ({Bytes} bytes); log start offset is now {LogStartOffset}.")]
    private partial void LogRetention(string partition, int segments, long bytes, long logStartOffset);
}
