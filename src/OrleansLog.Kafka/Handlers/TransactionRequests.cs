using OrleansLog.Kafka.Connections;
using OrleansLog.Kafka.Hosting;
using OrleansLog.Kafka.Protocol;
using OrleansLog.Kafka.Security;
using OrleansLog.Producers;
using OrleansLog.Security;
using OrleansLog.Transactions;

namespace OrleansLog.Kafka.Handlers;

/// <summary>What the transactional APIs share: WRITE on the transactional id, and a call to its coordinator answered with an error code.</summary>
internal static class TransactionRequests
{
    /// <summary>Calls the coordinator of <paramref name="transactionalId"/> if the caller may write as it; the Kafka error of the answer.</summary>
    public static async Task<ErrorCode> CallCoordinator(this KafkaListenerContext context, KafkaRequest request, string transactionalId, Func<ITransactionCoordinatorGrain, Task> call)
    {
        if (transactionalId.Length == 0)
        {
            return ErrorCode.InvalidRequest;
        }

        if (!context.Allows(request, AclOperation.Write, AclResourceType.TransactionalId, transactionalId))
        {
            return ErrorCode.TransactionalIdAuthorizationFailed;
        }

        try
        {
            await call(context.Grains.GetGrain<ITransactionCoordinatorGrain>(transactionalId));
            return ErrorCode.None;
        }
        catch (Exception e)
        {
            return KafkaErrors.From(e).Code;
        }
    }

    /// <summary>The producer id and epoch every transactional request carries after its transactional id.</summary>
    public static ProducerIdentity ReadProducer(ref KafkaReader reader) => new(reader.ReadInt64(), reader.ReadInt16());
}
