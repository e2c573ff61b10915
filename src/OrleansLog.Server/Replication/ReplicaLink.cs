namespace OrleansLog.Server.Replication;

/// <summary>
/// A leader's view of one follower: how far its log reaches (-1 until it answers) and when it last held
/// everything the leader had. Owned by the leader's partition grain and touched only in its turns.
/// </summary>
public sealed class ReplicaLink(int broker, long now)
{
    public int Broker { get; } = broker;

    /// <summary>The follower's log end offset as last acknowledged, or -1 when not known in this epoch.</summary>
    public long LogEndOffset { get; set; } = -1;

    /// <summary>When (a <see cref="TimeProvider"/> timestamp) the follower last held the leader's whole log; the ISR rule measures lag from here.</summary>
    public long LastCaughtUp { get; set; } = now;

    public long SentHighWatermark { get; set; } = -1;

    public long SentLogStartOffset { get; set; } = -1;

    public bool Stopped { get; set; }
}
