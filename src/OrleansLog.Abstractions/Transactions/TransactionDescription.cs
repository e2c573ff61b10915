using System.Collections.Immutable;
using OrleansLog.Partitions;

namespace OrleansLog.Transactions;

/// <summary>What a transaction coordinator holds for one transactional id (Kafka's DescribeTransactions).</summary>
[GenerateSerializer, Immutable]
public sealed record TransactionDescription(
    [property: Id(0)] string TransactionalId,
    [property: Id(1)] TransactionState State,
    [property: Id(2)] long ProducerId,
    [property: Id(3)] short ProducerEpoch,
    [property: Id(4)] int TimeoutMs,
    [property: Id(5)] long StartTimeMs,
    [property: Id(6)] ImmutableArray<TopicPartition> Partitions,
    [property: Id(7)] ImmutableArray<string> Groups)
{
    /// <summary>Kafka's name of <see cref="State"/>.</summary>
    public string StateName => State.ToString();

    /// <summary>Whether the id is known: initialised by a producer and not expired (TRANSACTIONAL_ID_NOT_FOUND otherwise).</summary>
    public bool Exists => ProducerId >= 0;
}
