using OrleansLog.Kafka.Connections;
using OrleansLog.Kafka.Hosting;
using OrleansLog.Kafka.Protocol;
using OrleansLog.Kafka.Security;
using OrleansLog.Security;
using OrleansLog.Metadata;

namespace OrleansLog.Kafka.Handlers;

/// <summary>CreatePartitions (key 37, v0-1): grows topics to a new total partition count through the coordinator; a count that is not larger is INVALID_PARTITIONS, manual assignments are refused.</summary>
internal sealed class CreatePartitionsHandler(KafkaListenerContext context) : IKafkaHandler
{
    public ApiKey Key => ApiKey.CreatePartitions;

    public async Task<KafkaWriter?> HandleAsync(KafkaRequest request)
    {
        var (topics, validateOnly) = Read(request);
        var coordinator = context.Grains.GetGrain<IMetadataGrain>(IMetadataGrain.ClusterKey);
        var results = new List<(ErrorCode Code, string? Message)>(topics.Count);
        foreach (var (name, count, hasAssignments) in topics)
        {
            try
            {
                if (!context.AllowsTopic(request, AclOperation.Alter, name))
                {
                    results.Add((ErrorCode.TopicAuthorizationFailed, KafkaAccess.TopicRefusal(request, AclOperation.Alter, name)));
                }
                else if (hasAssignments)
                {
                    results.Add((ErrorCode.InvalidRequest, "Manual replica assignment is not supported: leave assignments null and the coordinator places replicas."));
                }
                else if (validateOnly)
                {
                    var topic = await coordinator.DescribeTopic(name);
                    results.Add(count > topic.PartitionCount ? (ErrorCode.None, null)
                        : (ErrorCode.InvalidPartitions, $"Topic \"{name}\" has {topic.PartitionCount} partitions; the new count must be larger, not {count}."));
                }
                else
                {
                    await coordinator.CreatePartitions(name, count);
                    results.Add((ErrorCode.None, null));
                }
            }
            catch (Exception e)
            {
                results.Add(KafkaErrors.From(e));
            }
        }

        var response = request.StartResponse();
        response.WriteThrottleTime();
        response.WriteArrayLength(topics.Count, flexible: false);
        for (var i = 0; i < topics.Count; i++)
        {
            response.WriteString(topics[i].Name, flexible: false);
            response.WriteInt16(results[i].Code);
            response.WriteNullableString(results[i].Message, flexible: false);
        }

        return response;
    }

    private static (List<(string Name, int Count, bool HasAssignments)> Topics, bool ValidateOnly) Read(KafkaRequest request)
    {
        var reader = new KafkaReader(request.Body);
        var count = reader.ReadArrayLength(flexible: false);
        var topics = new List<(string, int, bool)>(Math.Max(count, 0));
        for (var t = 0; t < count; t++)
        {
            var name = reader.ReadString(flexible: false);
            var total = reader.ReadInt32();
            var assignments = reader.ReadArrayLength(flexible: false);
            for (var a = 0; a < assignments; a++)
            {
                reader.ReadInt32Array(flexible: false);
            }

            topics.Add((name, total, assignments > 0));
        }

        reader.ReadInt32();
        return (topics, reader.ReadBool());
    }
}
