using OrleansLog.Kafka.Connections;
using OrleansLog.Kafka.Hosting;
using OrleansLog.Kafka.Protocol;
using OrleansLog.Kafka.Security;
using OrleansLog.Security;

namespace OrleansLog.Kafka.Handlers;

/// <summary>DescribeAcls (key 29, v0-1): the ACLs a filter matches, grouped by resource; needs DESCRIBE on the cluster.</summary>
internal sealed class DescribeAclsHandler(KafkaListenerContext context) : IKafkaHandler
{
    public ApiKey Key => ApiKey.DescribeAcls;

    public async Task<KafkaWriter?> HandleAsync(KafkaRequest request)
    {
        var reader = new KafkaReader(request.Body);
        var filter = AclWire.ReadFilter(ref reader, request.Version);
        (ErrorCode Code, string? Message) error = (ErrorCode.None, null);
        List<AclBinding> acls = [];
        if (AclWire.Refusal(context, request, AclOperation.Describe) is { } refusal)
        {
            error = refusal;
        }
        else
        {
            try
            {
                acls = [.. (await context.Grains.GetGrain<IAclStoreGrain>(IAclStoreGrain.ClusterKey).Snapshot()).Acls.Where(filter.Matches)];
            }
            catch (Exception e)
            {
                error = KafkaErrors.From(e);
            }
        }

        var resources = acls.GroupBy(a => (a.ResourceType, a.ResourceName, a.PatternType)).ToList();
        var response = request.StartResponse();
        response.WriteThrottleTime();
        response.WriteInt16(error.Code);
        response.WriteNullableString(error.Message, flexible: false);
        response.WriteArrayLength(resources.Count, flexible: false);
        foreach (var resource in resources)
        {
            AclWire.WriteResource(response, resource.Key.ResourceType, resource.Key.ResourceName, resource.Key.PatternType, request.Version);
            response.WriteArrayLength(resource.Count(), flexible: false);
            foreach (var acl in resource)
            {
                AclWire.WriteBinding(response, acl, request.Version, withResource: false);
            }
        }

        return response;
    }
}
