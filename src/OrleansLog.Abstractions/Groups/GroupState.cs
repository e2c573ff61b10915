namespace OrleansLog.Groups;

/// <summary>Kafka's group states.</summary>
public enum GroupState
{
    /// <summary>No members; offsets may exist.</summary>
    Empty,

    /// <summary>Partitions are moving: some member waits for another to release one (Kafka clients: members are rejoining, PreparingRebalance).</summary>
    Rebalancing,

    /// <summary>Kafka clients only: every member joined, the leader's assignments are awaited.</summary>
    CompletingRebalance,

    /// <summary>Every member holds exactly its assignment.</summary>
    Stable,
}
