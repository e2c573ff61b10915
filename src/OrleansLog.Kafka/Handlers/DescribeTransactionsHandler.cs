using OrleansLog.Kafka.Connections;
using OrleansLog.Kafka.Hosting;
using OrleansLog.Kafka.Protocol;
using OrleansLog.Kafka.Security;
using OrleansLog.Security;
using OrleansLog.Transactions;

namespace OrleansLog.Kafka.Handlers;

/// <summary>
/// DescribeTransactions (key 65, v0, flexible): each transactional id's state, producer, timeout, start and partitions,
/// from its coordinator (Kafka's <c>kafka-transactions.sh describe</c>). DESCRIBE on the transactional id; an id nobody
/// initialised is TRANSACTIONAL_ID_NOT_FOUND.
/// </summary>
internal sealed class DescribeTransactionsHandler(KafkaListenerContext context) : IKafkaHandler
{
    public ApiKey Key => ApiKey.DescribeTransactions;

    public async Task<KafkaWriter?> HandleAsync(KafkaRequest request)
    {
        var reader = new KafkaReader(request.Body);
        var count = reader.ReadArrayLength(flexible: true);
        var ids = new List<string>(Math.Max(count, 0));
        for (var i = 0; i < count; i++)
        {
            ids.Add(reader.ReadString(flexible: true));
        }

        var described = await Task.WhenAll(ids.Select(Describe(request)));
        var response = request.StartResponse();
        response.WriteThrottleTime();
        response.WriteArrayLength(described.Length, flexible: true);
        foreach (var (id, error, description) in described)
        {
            response.WriteInt16(error);
            response.WriteString(id, flexible: true);
            response.WriteString(description?.StateName ?? "", flexible: true);
            response.WriteInt32(description?.TimeoutMs ?? 0);
            response.WriteInt64(description is { StartTimeMs: > 0 } ? description.StartTimeMs : -1);
            response.WriteInt64(description?.ProducerId ?? -1);
            response.WriteInt16(description?.ProducerEpoch ?? -1);
            var topics = description is null ? [] : description.Partitions.GroupBy(p => p.Topic, StringComparer.Ordinal).ToList();
            response.WriteArrayLength(topics.Count, flexible: true);
            foreach (var topic in topics)
            {
                response.WriteString(topic.Key, flexible: true);
                response.WriteInt32Array([.. topic.Select(p => p.Partition).Order()], flexible: true);
                response.WriteEmptyTaggedFields(flexible: true);
            }

            response.WriteEmptyTaggedFields(flexible: true);
        }

        response.WriteEmptyTaggedFields(flexible: true);
        return response;
    }

    private Func<string, Task<(string Id, ErrorCode Error, TransactionDescription? Description)>> Describe(KafkaRequest request) => async id =>
    {
        if (!context.Allows(request, AclOperation.Describe, AclResourceType.TransactionalId, id))
        {
            return (id, ErrorCode.TransactionalIdAuthorizationFailed, null);
        }

        try
        {
            var description = await context.Grains.GetGrain<ITransactionCoordinatorGrain>(id).Describe();
            return description.Exists ? (id, ErrorCode.None, description) : (id, ErrorCode.TransactionalIdNotFound, null);
        }
        catch (Exception e)
        {
            return (id, KafkaErrors.From(e).Code, null);
        }
    };
}
