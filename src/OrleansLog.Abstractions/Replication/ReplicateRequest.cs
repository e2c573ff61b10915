using OrleansLog.Partitions;

namespace OrleansLog.Replication;

/// <summary>
/// Batches the leader pushes to a follower, exactly as stored (offsets and epochs kept), starting at the
/// follower's log end offset; empty to pass on a new high watermark or log start only. <c>TopicId</c> names
/// the topic the leader serves (empty: not known), so a follower never mixes two topics of one name.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ReplicateRequest(
    [property: Id(0)] int LeaderEpoch,
    [property: Id(1)] BatchBytes Records,
    [property: Id(2)] long HighWatermark,
    [property: Id(3)] long LogStartOffset,
    [property: Id(4)] Guid TopicId = default);
