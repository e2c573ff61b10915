using OrleansLog.Kafka.Connections;
using OrleansLog.Kafka.Hosting;
using OrleansLog.Kafka.Protocol;
using OrleansLog.Kafka.Security;
using OrleansLog.Security;
using OrleansLog.Partitions;

namespace OrleansLog.Kafka.Handlers;

/// <summary>OffsetForLeaderEpoch (key 23, v0-3): where an epoch ended in the leader's log, so a consumer that saw a leader change can tell whether the log it read was truncated.</summary>
internal sealed class OffsetForLeaderEpochHandler(KafkaListenerContext context) : IKafkaHandler
{
    public ApiKey Key => ApiKey.OffsetForLeaderEpoch;

    public async Task<KafkaWriter?> HandleAsync(KafkaRequest request)
    {
        var topics = Read(request);
        var answers = await PartitionFanOut.AskAll(topics, (topic, p) => context.AllowsTopic(request, AclOperation.Describe, topic)
            ? Ask(topic, p.Partition, p.CurrentEpoch, p.Epoch)
            : Task.FromResult(new LeaderEpochEndOffset(ErrorCode.TopicAuthorizationFailed, -1, -1)));

        var version = request.Version;
        var response = request.StartResponse();
        if (version >= 2)
        {
            response.WriteThrottleTime();
        }

        PartitionFanOut.WriteTopics(response, topics, answers, (partition, answer) =>
        {
            response.WriteInt16(answer.Error);
            response.WriteInt32(partition.Partition);
            if (version >= 1)
            {
                response.WriteInt32(answer.LeaderEpoch);
            }

            response.WriteInt64(answer.EndOffset);
        });
        return response;
    }

    private async Task<LeaderEpochEndOffset> Ask(string topic, int partition, int currentEpoch, int epoch)
    {
        if (!PartitionAddress.IsValid(topic, partition))
        {
            return new LeaderEpochEndOffset(ErrorCode.UnknownTopicOrPartition, -1, -1);
        }

        try
        {
            return await context.Grains.GetPartitionGrain(topic, partition).OffsetForLeaderEpoch(currentEpoch, epoch);
        }
        catch (Exception e)
        {
            return new LeaderEpochEndOffset(KafkaErrors.From(e).Code, -1, -1);
        }
    }

    private static List<(string Name, List<(int Partition, int CurrentEpoch, int Epoch)> Partitions)> Read(KafkaRequest request)
    {
        var reader = new KafkaReader(request.Body);
        if (request.Version >= 3)
        {
            reader.ReadInt32();
        }

        var count = reader.ReadArrayLength(flexible: false);
        var topics = new List<(string, List<(int, int, int)>)>(Math.Max(count, 0));
        for (var t = 0; t < count; t++)
        {
            var name = reader.ReadString(flexible: false);
            var partitionCount = reader.ReadArrayLength(flexible: false);
            var partitions = new List<(int, int, int)>(Math.Max(partitionCount, 0));
            for (var p = 0; p < partitionCount; p++)
            {
                var partition = reader.ReadInt32();
                var current = request.Version >= 2 ? reader.ReadInt32() : -1;
                partitions.Add((partition, current, reader.ReadInt32()));
            }

            topics.Add((name, partitions));
        }

        return topics;
    }
}
