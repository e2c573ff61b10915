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
    public static async Task<ErrorCode> CallCoordinator(this KafkaListenerContext context, KafkaRequest request, string transactionalId, Func<ITransactionCoordinatorGrain, Task> call) =>
        (await context.CallCoordinator(request, transactionalId, async coordinator =>
        {
            await call(coordinator);
            return true;
        }, fallback: false)).Error;

    /// <summary>As the other overload, with the coordinator's answer, or <paramref name="fallback"/> when there is an error.</summary>
    public static async Task<(ErrorCode Error, T Answer)> CallCoordinator<T>(this KafkaListenerContext context, KafkaRequest request, string transactionalId, Func<ITransactionCoordinatorGrain, Task<T>> call, T fallback)
    {
        if (transactionalId.Length == 0)
        {
            return (ErrorCode.InvalidRequest, fallback);
        }

        if (!context.Allows(request, AclOperation.Write, AclResourceType.TransactionalId, transactionalId))
        {
            return (ErrorCode.TransactionalIdAuthorizationFailed, fallback);
        }

        try
        {
            return (ErrorCode.None, await call(context.Grains.GetGrain<ITransactionCoordinatorGrain>(transactionalId)));
        }
        catch (Exception e)
        {
            return (KafkaErrors.From(e).Code, fallback);
        }
    }

    /// <summary>The producer id and epoch every transactional request carries after its transactional id.</summary>
    public static ProducerIdentity ReadProducer(ref KafkaReader reader) => new(reader.ReadInt64(), reader.ReadInt16());
}
