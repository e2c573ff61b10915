using System.Collections.Immutable;
using OrleansLog.Kafka.Connections;
using OrleansLog.Kafka.Hosting;
using OrleansLog.Kafka.Protocol;
using OrleansLog.Kafka.Security;
using OrleansLog.Security;

namespace OrleansLog.Kafka.Handlers;

/// <summary>DeleteAcls (key 31, v0-1): deletes the ACLs each filter matches and lists them per filter; needs ALTER on the cluster.</summary>
internal sealed class DeleteAclsHandler(KafkaListenerContext context) : IKafkaHandler
{
    public ApiKey Key => ApiKey.DeleteAcls;

    public async Task<KafkaWriter?> HandleAsync(KafkaRequest request)
    {
        var reader = new KafkaReader(request.Body);
        var count = reader.ReadArrayLength(flexible: false);
        var filters = new List<AclFilter>(Math.Max(count, 0));
        for (var i = 0; i < count; i++)
        {
            filters.Add(AclWire.ReadFilter(ref reader, request.Version));
        }

        (ErrorCode Code, string? Message) error = (ErrorCode.None, null);
        ImmutableArray<ImmutableArray<AclBinding>> deleted = [.. filters.Select(_ => ImmutableArray<AclBinding>.Empty)];
        if (AclWire.Refusal(context, request, AclOperation.Alter) is { } refusal)
        {
            error = refusal;
        }
        else
        {
            try
            {
                deleted = await context.Grains.GetGrain<IAclStoreGrain>(IAclStoreGrain.ClusterKey).Delete([.. filters]);
                await context.Acls.RefreshAsync();
            }
            catch (Exception e)
            {
                error = KafkaErrors.From(e);
            }
        }

        var response = request.StartResponse();
        response.WriteThrottleTime();
        response.WriteArrayLength(filters.Count, flexible: false);
        foreach (var matched in deleted)
        {
            response.WriteInt16(error.Code);
            response.WriteNullableString(error.Message, flexible: false);
            response.WriteArrayLength(matched.Length, flexible: false);
            foreach (var acl in matched)
            {
                response.WriteInt16(ErrorCode.None);
                response.WriteNullableString(null, flexible: false);
                AclWire.WriteBinding(response, acl, request.Version, withResource: true);
            }
        }

        return response;
    }
}
