using System.Collections.Immutable;
using OrleansLog.Kafka.Connections;
using OrleansLog.Kafka.Hosting;
using OrleansLog.Kafka.Protocol;
using OrleansLog.Kafka.Security;
using OrleansLog.Metadata;
using OrleansLog.Partitions;
using OrleansLog.Security;

namespace OrleansLog.Kafka.Handlers;

/// <summary>
/// AddPartitionsToTxn (key 24, v0-2): adds partitions to the producer's transaction at its coordinator, all or none, as
/// Kafka does: a partition the caller may not write to is TOPIC_AUTHORIZATION_FAILED, one that does not exist
/// UNKNOWN_TOPIC_OR_PARTITION, and then every other partition is OPERATION_NOT_ATTEMPTED.
/// </summary>
internal sealed class AddPartitionsToTxnHandler(KafkaListenerContext context) : IKafkaHandler
{
    public ApiKey Key => ApiKey.AddPartitionsToTxn;

    public async Task<KafkaWriter?> HandleAsync(KafkaRequest request)
    {
        var reader = new KafkaReader(request.Body);
        var transactionalId = reader.ReadString(flexible: false);
        var producer = TransactionRequests.ReadProducer(ref reader);
        var topics = new List<(string Name, List<int> Partitions)>();
        var topicCount = reader.ReadArrayLength(flexible: false);
        for (var t = 0; t < topicCount; t++)
        {
            topics.Add((reader.ReadString(flexible: false), [.. reader.ReadInt32Array(flexible: false)]));
        }

        var errors = new Dictionary<TopicPartition, ErrorCode>();
        foreach (var (name, partitions) in topics)
        {
            var problem = !context.AllowsTopic(request, AclOperation.Write, name) ? ErrorCode.TopicAuthorizationFailed
                : await PartitionCount(name) is var known && partitions.Any(p => !PartitionAddress.IsValid(name, p) || p >= known) ? ErrorCode.UnknownTopicOrPartition
                : ErrorCode.None;
            foreach (var partition in partitions)
            {
                errors[new TopicPartition(name, partition)] = problem;
            }
        }

        if (errors.Values.Any(e => e != ErrorCode.None))
        {
            foreach (var partition in errors.Keys.ToList())
            {
                errors[partition] = errors[partition] == ErrorCode.None ? ErrorCode.OperationNotAttempted : errors[partition];
            }
        }
        else if (errors.Count > 0)
        {
            var added = await context.CallCoordinator(request, transactionalId, c => c.AddPartitions(producer, [.. errors.Keys]));
            foreach (var partition in errors.Keys.ToList())
            {
                errors[partition] = added;
            }
        }

        var response = request.StartResponse();
        response.WriteThrottleTime();
        PartitionFanOut.WritePartitionErrors(response, topics, (name, partition) => errors[new TopicPartition(name, partition)]);
        return response;
    }

    private async Task<int> PartitionCount(string topic) =>
        await context.Grains.GetGrain<IMetadataGrain>(IMetadataGrain.ClusterKey).TryGetTopic(topic) is { } description ? description.PartitionCount : 0;
}
