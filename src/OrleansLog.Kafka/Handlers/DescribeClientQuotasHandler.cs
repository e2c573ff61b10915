using System.Collections.Immutable;
using OrleansLog.Kafka.Connections;
using OrleansLog.Kafka.Hosting;
using OrleansLog.Kafka.Protocol;
using OrleansLog.Kafka.Security;
using OrleansLog.Security;

namespace OrleansLog.Kafka.Handlers;

/// <summary>DescribeClientQuotas (key 48, v0-1): the quotas of the entities a filter matches; needs DESCRIBE_CONFIGS on the cluster, as Kafka's.</summary>
internal sealed class DescribeClientQuotasHandler(KafkaListenerContext context) : IKafkaHandler
{
    public ApiKey Key => ApiKey.DescribeClientQuotas;

    public async Task<KafkaWriter?> HandleAsync(KafkaRequest request)
    {
        var flexible = request.Flexible;
        var reader = new KafkaReader(request.Body);
        var components = ImmutableArray.CreateBuilder<ClientQuotaFilterComponent>();
        var count = reader.ReadArrayLength(flexible);
        for (var i = 0; i < count; i++)
        {
            components.Add(new ClientQuotaFilterComponent(reader.ReadString(flexible), (ClientQuotaMatch)reader.ReadInt8(), reader.ReadNullableString(flexible)));
            reader.SkipTaggedFields(flexible);
        }

        var filter = new ClientQuotaFilter(components.ToImmutable(), reader.ReadBool());
        (ErrorCode Code, string? Message) error = (ErrorCode.None, null);
        List<ClientQuotaEntry> entries = [];
        if (!context.AllowsCluster(request, AclOperation.DescribeConfigs))
        {
            error = (ErrorCode.ClusterAuthorizationFailed, $"{request.Principal} is not authorized to describe the cluster's configs.");
        }
        else if (filter.Refusal() is { } refusal)
        {
            error = (ErrorCode.InvalidRequest, refusal);
        }
        else
        {
            try
            {
                var snapshot = await context.Grains.GetGrain<IClientQuotaStoreGrain>(IClientQuotaStoreGrain.ClusterKey).Snapshot();
                entries = [.. snapshot.Entries.Where(e => filter.Matches(e.Entity))];
            }
            catch (Exception e)
            {
                error = KafkaErrors.From(e);
            }
        }

        var response = request.StartResponse();
        response.WriteThrottleTime();
        response.WriteInt16(error.Code);
        response.WriteNullableString(error.Message, flexible);
        response.WriteArrayLength(error.Code == ErrorCode.None ? entries.Count : -1, flexible);
        foreach (var entry in entries)
        {
            ClientQuotaWire.WriteEntity(response, entry.Entity, flexible);
            response.WriteArrayLength(entry.Values.Count, flexible);
            foreach (var (key, value) in entry.Values.OrderBy(v => v.Key, StringComparer.Ordinal))
            {
                response.WriteString(key, flexible);
                response.WriteFloat64(value);
                response.WriteEmptyTaggedFields(flexible);
            }

            response.WriteEmptyTaggedFields(flexible);
        }

        response.WriteEmptyTaggedFields(flexible);
        return response;
    }
}
