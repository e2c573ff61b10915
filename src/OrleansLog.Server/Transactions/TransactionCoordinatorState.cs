using OrleansLog.Partitions;
using OrleansLog.Transactions;

namespace OrleansLog.Server.Transactions;

/// <summary>One transactional id's persisted state (Kafka's transaction log entry).</summary>
[GenerateSerializer]
public sealed class TransactionCoordinatorState
{
    [Id(0)]
    public long ProducerId { get; set; } = -1;

    [Id(1)]
    public short ProducerEpoch { get; set; } = -1;

    [Id(2)]
    public int TimeoutMs { get; set; }

    [Id(3)]
    public TransactionState State { get; set; } = TransactionState.Empty;

    [Id(4)]
    public List<TopicPartition> Partitions { get; set; } = [];

    [Id(5)]
    public List<string> Groups { get; set; } = [];

    /// <summary>When the open transaction began (Unix ms), or 0.</summary>
    [Id(6)]
    public long StartMs { get; set; }

    /// <summary>When the id was last used (Unix ms): it expires <c>transactional.id.expiration.ms</c> after.</summary>
    [Id(7)]
    public long LastUsedMs { get; set; }

    /// <summary>Raised at every activation and written in every marker, so a stale activation's markers are refused.</summary>
    [Id(8)]
    public int CoordinatorEpoch { get; set; } = -1;

    public TransactionCoordinatorState Copy() => new()
    {
        ProducerId = ProducerId,
        ProducerEpoch = ProducerEpoch,
        TimeoutMs = TimeoutMs,
        State = State,
        Partitions = [.. Partitions],
        Groups = [.. Groups],
        StartMs = StartMs,
        LastUsedMs = LastUsedMs,
        CoordinatorEpoch = CoordinatorEpoch,
    };
}
