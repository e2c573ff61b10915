namespace OrleansLog.Replication;

/// <summary>
/// A follower's answer: its log end offset after the call (durable when the topic flushes before
/// acknowledging), or why it refused: FENCED_LEADER_EPOCH (the sender was deposed), UNKNOWN_LEADER_EPOCH
/// (reconcile first), NOT_LEADER_OR_FOLLOWER (not a replica here), or a storage error.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ReplicaResponse(
    [property: Id(0)] ErrorCode Error,
    [property: Id(1)] long LogEndOffset,
    [property: Id(2)] string? ErrorMessage = null)
{
    public static ReplicaResponse Failed(ErrorCode error, string message) => new(error, -1, message);
}
