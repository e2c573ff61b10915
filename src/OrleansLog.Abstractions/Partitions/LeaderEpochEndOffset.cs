namespace OrleansLog.Partitions;

/// <summary>The answer to OffsetForLeaderEpoch: the epoch found (at most the one asked for) and where it ended, or an error (the asker's current epoch is stale or ahead: FENCED_LEADER_EPOCH, UNKNOWN_LEADER_EPOCH).</summary>
[GenerateSerializer, Immutable]
public sealed record LeaderEpochEndOffset(
    [property: Id(0)] ErrorCode Error,
    [property: Id(1)] int LeaderEpoch,
    [property: Id(2)] long EndOffset);
