namespace OrleansLog.Groups;

/// <summary>Kafka's group states, as far as a server-side assignor has them.</summary>
public enum GroupState
{
    /// <summary>No members; offsets may exist.</summary>
    Empty,

    /// <summary>Partitions are moving: some member waits for another to release one.</summary>
    Rebalancing,

    /// <summary>Every member holds exactly its assignment.</summary>
    Stable,
}
