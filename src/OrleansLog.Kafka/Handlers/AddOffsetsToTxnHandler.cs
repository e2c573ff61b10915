using OrleansLog.Kafka.Connections;
using OrleansLog.Kafka.Hosting;
using OrleansLog.Kafka.Protocol;
using OrleansLog.Kafka.Security;
using OrleansLog.Security;

namespace OrleansLog.Kafka.Handlers;

/// <summary>AddOffsetsToTxn (key 25, v0-2): adds a consumer group to the producer's transaction, so its offsets commit with it (READ on the group).</summary>
internal sealed class AddOffsetsToTxnHandler(KafkaListenerContext context) : IKafkaHandler
{
    public ApiKey Key => ApiKey.AddOffsetsToTxn;

    public async Task<KafkaWriter?> HandleAsync(KafkaRequest request)
    {
        var reader = new KafkaReader(request.Body);
        var transactionalId = reader.ReadString(flexible: false);
        var producer = TransactionRequests.ReadProducer(ref reader);
        var groupId = reader.ReadString(flexible: false);
        var error = groupId.Length == 0 ? ErrorCode.InvalidGroupId
            : !context.AllowsGroup(request, AclOperation.Read, groupId) ? ErrorCode.GroupAuthorizationFailed
            : await context.CallCoordinator(request, transactionalId, c => c.AddGroup(producer, groupId));

        var response = request.StartResponse();
        response.WriteThrottleTime();
        response.WriteInt16(error);
        return response;
    }
}
