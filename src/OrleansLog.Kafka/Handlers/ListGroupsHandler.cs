using OrleansLog.Groups;
using OrleansLog.Kafka.Connections;
using OrleansLog.Kafka.Hosting;
using OrleansLog.Kafka.Protocol;
using OrleansLog.Kafka.Security;
using OrleansLog.Security;

namespace OrleansLog.Kafka.Handlers;

/// <summary>ListGroups (key 16, v0-2): every group the cluster knows (that the principal may describe), native or not, all of protocol type "consumer".</summary>
internal sealed class ListGroupsHandler(KafkaListenerContext context) : IKafkaHandler
{
    public ApiKey Key => ApiKey.ListGroups;

    public async Task<KafkaWriter?> HandleAsync(KafkaRequest request)
    {
        var error = ErrorCode.None;
        IReadOnlyList<string> groups = [];
        try
        {
            groups = await IConsumerGroupDirectoryGrain.ListAllAsync(context.Grains);

            // DESCRIBE on the cluster shows every group; otherwise only those the principal may describe.
            if (!context.AllowsCluster(request, AclOperation.Describe, audit: false))
            {
                groups = [.. groups.Where(g => context.AllowsGroup(request, AclOperation.Describe, g, audit: false))];
            }
        }
        catch (Exception e)
        {
            error = KafkaErrors.From(e).Code;
        }

        var response = request.StartResponse();
        if (request.Version >= 1)
        {
            response.WriteThrottleTime();
        }

        response.WriteInt16(error);
        response.WriteArrayLength(groups.Count, flexible: false);
        foreach (var group in groups)
        {
            response.WriteString(group, flexible: false);
            response.WriteString("consumer", flexible: false);
        }

        return response;
    }
}
