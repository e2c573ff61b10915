using OrleansLog.Kafka.Connections;
using OrleansLog.Kafka.Hosting;
using OrleansLog.Kafka.Protocol;
using OrleansLog.Kafka.Security;
using OrleansLog.Security;
using OrleansLog.Metadata;

namespace OrleansLog.Kafka.Handlers;

/// <summary>DeleteTopics (key 20, v0-3): each topic and its data through the coordinator; UNKNOWN_TOPIC_OR_PARTITION for a topic there is not.</summary>
internal sealed class DeleteTopicsHandler(KafkaListenerContext context) : IKafkaHandler
{
    public ApiKey Key => ApiKey.DeleteTopics;

    public async Task<KafkaWriter?> HandleAsync(KafkaRequest request)
    {
        var reader = new KafkaReader(request.Body);
        var count = reader.ReadArrayLength(flexible: false);
        var names = new List<string>(Math.Max(count, 0));
        for (var i = 0; i < count; i++)
        {
            names.Add(reader.ReadString(flexible: false));
        }

        var coordinator = context.Grains.GetGrain<IMetadataGrain>(IMetadataGrain.ClusterKey);
        var errors = new List<ErrorCode>(names.Count);
        foreach (var name in names)
        {
            try
            {
                if (!context.AllowsTopic(request, AclOperation.Delete, name))
                {
                    errors.Add(ErrorCode.TopicAuthorizationFailed);
                    continue;
                }

                await coordinator.DeleteTopic(name);
                errors.Add(ErrorCode.None);
            }
            catch (Exception e)
            {
                errors.Add(KafkaErrors.From(e).Code);
            }
        }

        var response = request.StartResponse();
        if (request.Version >= 1)
        {
            response.WriteThrottleTime();
        }

        response.WriteArrayLength(names.Count, flexible: false);
        for (var i = 0; i < names.Count; i++)
        {
            response.WriteString(names[i], flexible: false);
            response.WriteInt16(errors[i]);
        }

        return response;
    }
}
