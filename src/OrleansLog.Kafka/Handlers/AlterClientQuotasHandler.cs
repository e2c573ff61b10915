using System.Collections.Immutable;
using OrleansLog.Kafka.Connections;
using OrleansLog.Kafka.Hosting;
using OrleansLog.Kafka.Protocol;
using OrleansLog.Kafka.Security;
using OrleansLog.Security;
using OrleansLog.Server.Security.Quotas;

namespace OrleansLog.Kafka.Handlers;

/// <summary>
/// AlterClientQuotas (key 49, v0-1): sets or removes quotas per entity, each entry answered on its own; needs
/// ALTER_CONFIGS on the cluster, as Kafka's. A change applies on this broker at once and on the others at their next refresh.
/// </summary>
internal sealed class AlterClientQuotasHandler(KafkaListenerContext context, ClientQuotaManager quotas) : IKafkaHandler
{
    public ApiKey Key => ApiKey.AlterClientQuotas;

    public async Task<KafkaWriter?> HandleAsync(KafkaRequest request)
    {
        var flexible = request.Flexible;
        var reader = new KafkaReader(request.Body);
        var count = reader.ReadArrayLength(flexible);
        var entities = new List<(ClientQuotaEntity? Entity, string? Refusal, ImmutableArray<ClientQuotaOperation> Operations, ImmutableArray<(string Type, string? Name)> Raw)>(Math.Max(0, count));
        for (var i = 0; i < count; i++)
        {
            var start = reader.Position;
            var entity = ClientQuotaWire.ReadEntity(ref reader, flexible, out var refusal);
            var raw = RawEntity(request.Body[start..reader.Position], flexible);
            var operations = ImmutableArray.CreateBuilder<ClientQuotaOperation>();
            var operationCount = reader.ReadArrayLength(flexible);
            for (var j = 0; j < operationCount; j++)
            {
                operations.Add(new ClientQuotaOperation(reader.ReadString(flexible), reader.ReadFloat64(), reader.ReadBool()));
                reader.SkipTaggedFields(flexible);
            }

            reader.SkipTaggedFields(flexible);
            entities.Add((entity, refusal, operations.ToImmutable(), raw));
        }

        var validateOnly = reader.ReadBool();
        var results = new (ErrorCode Code, string? Message)[entities.Count];
        if (!context.AllowsCluster(request, AclOperation.AlterConfigs))
        {
            Array.Fill(results, (ErrorCode.ClusterAuthorizationFailed, $"{request.Principal} is not authorized to alter the cluster's configs."));
        }
        else
        {
            await Alter(entities, validateOnly, results);
        }

        var response = request.StartResponse();
        response.WriteThrottleTime();
        response.WriteArrayLength(entities.Count, flexible);
        for (var i = 0; i < entities.Count; i++)
        {
            response.WriteInt16(results[i].Code);
            response.WriteNullableString(results[i].Message, flexible);
            response.WriteArrayLength(entities[i].Raw.Length, flexible);
            foreach (var (type, name) in entities[i].Raw)
            {
                response.WriteString(type, flexible);
                response.WriteNullableString(name, flexible);
                response.WriteEmptyTaggedFields(flexible);
            }

            response.WriteEmptyTaggedFields(flexible);
        }

        response.WriteEmptyTaggedFields(flexible);
        return response;
    }

    private async Task Alter(List<(ClientQuotaEntity? Entity, string? Refusal, ImmutableArray<ClientQuotaOperation> Operations, ImmutableArray<(string Type, string? Name)> Raw)> entities, bool validateOnly, (ErrorCode, string?)[] results)
    {
        var valid = new List<int>();
        for (var i = 0; i < entities.Count; i++)
        {
            if (entities[i].Entity is null)
            {
                results[i] = (ErrorCode.InvalidRequest, entities[i].Refusal);
            }
            else
            {
                valid.Add(i);
            }
        }

        if (valid.Count == 0)
        {
            return;
        }

        try
        {
            var refusals = await context.Grains.GetGrain<IClientQuotaStoreGrain>(IClientQuotaStoreGrain.ClusterKey)
                .Alter([.. valid.Select(i => new ClientQuotaAlteration(entities[i].Entity!, entities[i].Operations))], validateOnly);
            for (var k = 0; k < valid.Count; k++)
            {
                results[valid[k]] = refusals[k] is { } refusal ? (ErrorCode.InvalidRequest, refusal) : (ErrorCode.None, null);
            }

            if (!validateOnly)
            {
                await quotas.RefreshAsync();
            }
        }
        catch (Exception e)
        {
            foreach (var i in valid)
            {
                results[i] = KafkaErrors.From(e);
            }
        }
    }

    /// <summary>The entity as the client wrote it, to echo back in its entry.</summary>
    private static ImmutableArray<(string Type, string? Name)> RawEntity(ReadOnlySpan<byte> bytes, bool flexible)
    {
        var reader = new KafkaReader(bytes);
        var count = reader.ReadArrayLength(flexible);
        var parts = ImmutableArray.CreateBuilder<(string, string?)>(Math.Max(0, count));
        for (var i = 0; i < count; i++)
        {
            parts.Add((reader.ReadString(flexible), reader.ReadNullableString(flexible)));
            reader.SkipTaggedFields(flexible);
        }

        return parts.ToImmutable();
    }
}
