using System.Collections.Immutable;
using Orleans.Concurrency;
using OrleansLog.Partitions;
using OrleansLog.Producers;
using OrleansLog.Security;

namespace OrleansLog.Transactions;

/// <summary>
/// The transaction coordinator of one transactional id (the grain key), as Kafka's: it hands the id's producer its
/// id and epoch (a new epoch fences the previous instance), records the partitions and groups a transaction touches,
/// and ends it in two phases: the decision is made durable, then commit or abort markers go to every partition and
/// group, then it completes. A transaction open longer than its timeout is aborted by the coordinator. Refusals are
/// <see cref="OrleansLogException"/>s with Kafka's codes: PRODUCER_FENCED, INVALID_PRODUCER_ID_MAPPING,
/// CONCURRENT_TRANSACTIONS, INVALID_TXN_STATE, INVALID_TRANSACTION_TIMEOUT.
/// </summary>
public interface ITransactionCoordinatorGrain : IGrainWithStringKey
{
    /// <summary>The id's producer id and a new epoch; an open transaction of an earlier instance is aborted first.</summary>
    [RequiresAcl(AclOperation.Write, AclResourceType.TransactionalId, AclResourceSource.GrainKey)]
    Task<ProducerIdentity> InitProducerId(int transactionTimeoutMs);

    /// <summary>Adds partitions to the producer's transaction (beginning it if none is open).</summary>
    [RequiresAcl(AclOperation.Write, AclResourceType.TransactionalId, AclResourceSource.GrainKey)]
    Task AddPartitions(ProducerIdentity producer, ImmutableArray<TopicPartition> partitions);

    /// <summary>Adds a consumer group whose offsets the transaction commits (Kafka's AddOffsetsToTxn).</summary>
    [RequiresAcl(AclOperation.Write, AclResourceType.TransactionalId, AclResourceSource.GrainKey)]
    Task AddGroup(ProducerIdentity producer, string groupId);

    /// <summary>Commits or aborts the producer's transaction; answers once the decision is durable (markers follow).</summary>
    [RequiresAcl(AclOperation.Write, AclResourceType.TransactionalId, AclResourceSource.GrainKey)]
    Task EndTransaction(ProducerIdentity producer, bool commit);

    [RequiresAcl(AclOperation.Describe, AclResourceType.TransactionalId, AclResourceSource.GrainKey)]
    Task<TransactionDescription> Describe();

    /// <summary>Whether <paramref name="partition"/> is in the producer's open transaction (a partition leader checks a transaction's first batch).</summary>
    [AlwaysInterleave]
    [Security.ClusterInternal]
    Task<bool> IsInTransaction(ProducerIdentity producer, TopicPartition partition);

    /// <summary>Whether <paramref name="groupId"/> is in the producer's open transaction (a group checks a transactional offset commit).</summary>
    [AlwaysInterleave]
    [Security.ClusterInternal]
    Task<bool> IsGroupInTransaction(ProducerIdentity producer, string groupId);

    /// <summary>
    /// Aborts the open transaction if it is past its timeout, finishes one whose markers are pending, and expires an id
    /// unused for <c>transactional.id.expiration.ms</c>; returns when to look again (Unix ms), or null once the id expired.
    /// </summary>
    [Security.ClusterInternal]
    Task<long?> Sweep();
}
