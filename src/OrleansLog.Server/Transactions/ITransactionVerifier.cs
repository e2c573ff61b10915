using OrleansLog.Partitions;
using OrleansLog.Producers;

namespace OrleansLog.Server.Transactions;

/// <summary>Whether a partition is in a producer's open transaction, by its coordinator: a leader asks before a transaction's first batch there (KIP-890).</summary>
public interface ITransactionVerifier
{
    Task<bool> IsInTransaction(string transactionalId, ProducerIdentity producer, TopicPartition partition);
}
