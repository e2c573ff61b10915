namespace OrleansLog.Server.Groups.Classic;

/// <summary>Kafka's classic group states.</summary>
public enum ClassicGroupPhase
{
    /// <summary>No members.</summary>
    Empty,

    /// <summary>Waiting for every member to (re)join, up to the rebalance timeout.</summary>
    PreparingRebalance,

    /// <summary>Joined: waiting for the leader's SyncGroup with the assignments.</summary>
    CompletingRebalance,

    /// <summary>Every member has its assignment.</summary>
    Stable,
}
