using OrleansLog.Kafka.Connections;
using OrleansLog.Kafka.Hosting;
using OrleansLog.Kafka.Protocol;
using OrleansLog.Kafka.Security;
using OrleansLog.Security;
using OrleansLog.Partitions;

namespace OrleansLog.Kafka.Handlers;

/// <summary>
/// ListOffsets (key 2, v1-5): per partition the offset for a timestamp, or for -1 (latest: the high watermark, or the
/// last stable offset for read_committed, v2+) and -2 (earliest: the log start), from its leader.
/// </summary>
internal sealed class ListOffsetsHandler(KafkaListenerContext context) : IKafkaHandler
{
    public ApiKey Key => ApiKey.ListOffsets;

    public async Task<KafkaWriter?> HandleAsync(KafkaRequest request)
    {
        var (isolation, topics) = Read(request);
        var lookups = await PartitionFanOut.AskAll(topics, (topic, p) => context.AllowsTopic(request, AclOperation.Describe, topic)
            ? Lookup(topic, p.Partition, p.Timestamp, isolation)
            : Task.FromResult((Error: ErrorCode.TopicAuthorizationFailed, Offset: -1L)));

        var version = request.Version;
        var response = request.StartResponse();
        if (version >= 2)
        {
            response.WriteThrottleTime();
        }

        PartitionFanOut.WriteTopics(response, topics, lookups, (partition, answer) =>
        {
            response.WriteInt32(partition.Partition);
            response.WriteInt16(answer.Error);
            response.WriteInt64(-1);
            response.WriteInt64(answer.Offset);
            if (version >= 4)
            {
                response.WriteInt32(-1);
            }
        });
        return response;
    }

    private async Task<(ErrorCode Error, long Offset)> Lookup(string topic, int partition, long timestamp, IsolationLevel isolation)
    {
        if (!PartitionAddress.IsValid(topic, partition))
        {
            return (ErrorCode.UnknownTopicOrPartition, -1);
        }

        try
        {
            return (ErrorCode.None, await context.Grains.GetPartitionGrain(topic, partition).ListOffset(timestamp, isolation));
        }
        catch (Exception e)
        {
            return (KafkaErrors.From(e).Code, -1);
        }
    }

    private static (IsolationLevel Isolation, List<(string Name, List<(int Partition, long Timestamp)> Partitions)> Topics) Read(KafkaRequest request)
    {
        var reader = new KafkaReader(request.Body);
        reader.ReadInt32();
        var isolation = request.Version >= 2 && reader.ReadInt8() == (sbyte)IsolationLevel.ReadCommitted ? IsolationLevel.ReadCommitted : IsolationLevel.ReadUncommitted;

        var topicCount = reader.ReadArrayLength(flexible: false);
        var topics = new List<(string, List<(int, long)>)>(Math.Max(topicCount, 0));
        for (var t = 0; t < topicCount; t++)
        {
            var name = reader.ReadString(flexible: false);
            var count = reader.ReadArrayLength(flexible: false);
            var partitions = new List<(int, long)>(Math.Max(count, 0));
            for (var p = 0; p < count; p++)
            {
                var index = reader.ReadInt32();
                if (request.Version >= 4)
                {
                    reader.ReadInt32();
                }

                partitions.Add((index, reader.ReadInt64()));
            }

            topics.Add((name, partitions));
        }

        return (isolation, topics);
    }
}
