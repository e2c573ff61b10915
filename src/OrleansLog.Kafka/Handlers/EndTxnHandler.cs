using OrleansLog.Kafka.Connections;
using OrleansLog.Kafka.Hosting;
using OrleansLog.Kafka.Protocol;

namespace OrleansLog.Kafka.Handlers;

/// <summary>EndTxn (key 26, v0-2): commits or aborts the producer's transaction; answered once its coordinator has made the decision durable.</summary>
internal sealed class EndTxnHandler(KafkaListenerContext context) : IKafkaHandler
{
    public ApiKey Key => ApiKey.EndTxn;

    public async Task<KafkaWriter?> HandleAsync(KafkaRequest request)
    {
        var reader = new KafkaReader(request.Body);
        var transactionalId = reader.ReadString(flexible: false);
        var producer = TransactionRequests.ReadProducer(ref reader);
        var commit = reader.ReadInt8() != 0;
        var error = await context.CallCoordinator(request, transactionalId, c => c.EndTransaction(producer, commit));

        var response = request.StartResponse();
        response.WriteThrottleTime();
        response.WriteInt16(error);
        return response;
    }
}
