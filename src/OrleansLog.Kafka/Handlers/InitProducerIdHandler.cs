using OrleansLog.Kafka.Connections;
using OrleansLog.Kafka.Hosting;
using OrleansLog.Kafka.Protocol;
using OrleansLog.Kafka.Security;
using OrleansLog.Security;
using OrleansLog.Producers;

namespace OrleansLog.Kafka.Handlers;

/// <summary>
/// InitProducerId (key 22, v0-1): for an idempotent producer a fresh producer id and epoch from the cluster's producer id
/// grain, shared with native producers; for a transactional id its coordinator's producer id and a new epoch (which
/// fences the previous instance and aborts its open transaction).
/// </summary>
internal sealed class InitProducerIdHandler(KafkaListenerContext context) : IKafkaHandler
{
    public ApiKey Key => ApiKey.InitProducerId;

    public async Task<KafkaWriter?> HandleAsync(KafkaRequest request)
    {
        var (transactionalId, timeoutMs) = Read(request);
        var error = ErrorCode.None;
        var identity = new ProducerIdentity(-1, -1);
        if (transactionalId is not null)
        {
            (error, identity) = await context.CallCoordinator(request, transactionalId, c => c.InitProducerId(timeoutMs), fallback: new ProducerIdentity(-1, -1));
        }
        else if (!context.AllowsCluster(request, AclOperation.IdempotentWrite, audit: false) && !context.AllowsAny(request, AclOperation.Write, AclResourceType.Topic))
        {
            // Kafka's rule since KIP-679: an idempotent producer needs IDEMPOTENT_WRITE on the cluster, or WRITE on some topic.
            error = ErrorCode.ClusterAuthorizationFailed;
            context.RecordDenial(request, AclOperation.IdempotentWrite, AclResourceType.Cluster, AclBinding.ClusterName);
        }
        else
        {
            try
            {
                identity = await context.Grains.GetGrain<IProducerIdGrain>(IProducerIdGrain.ClusterKey).InitProducerId();
            }
            catch (Exception e)
            {
                error = KafkaErrors.From(e).Code;
            }
        }

        var response = request.StartResponse();
        response.WriteThrottleTime();
        response.WriteInt16(error);
        response.WriteInt64(identity.ProducerId);
        response.WriteInt16(identity.Epoch);
        return response;
    }

    private static (string? TransactionalId, int TimeoutMs) Read(KafkaRequest request)
    {
        var reader = new KafkaReader(request.Body);
        var transactionalId = reader.ReadNullableString(flexible: false);
        return (transactionalId, reader.ReadInt32());
    }
}
