using OrleansLog.Partitions;
using OrleansLog.Producers;
using OrleansLog.Transactions;

namespace OrleansLog.Server.Transactions;

/// <summary>Asks the transactional id's coordinator grain (its check interleaves, so it answers while the coordinator writes markers).</summary>
public sealed class CoordinatorTransactionVerifier(IGrainFactory grains) : ITransactionVerifier
{
    public Task<bool> IsInTransaction(string transactionalId, ProducerIdentity producer, TopicPartition partition) =>
        grains.GetGrain<ITransactionCoordinatorGrain>(transactionalId).IsInTransaction(producer, partition);
}
