namespace OrleansLog.Server.Replication;

/// <summary>How replicas are kept in step, bound from <c>OrleansLog:Replication</c>; defaults follow Kafka's.</summary>
public sealed class ReplicationOptions
{
    public const string SectionName = "OrleansLog:Replication";

    /// <summary>A follower that has not caught up for this long leaves the ISR (Kafka's <c>replica.lag.time.max.ms</c>).</summary>
    public TimeSpan ReplicaLagTimeMax { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Replication factor for topics created with -1 (Kafka's <c>default.replication.factor</c>).</summary>
    public short DefaultReplicationFactor { get; set; } = 1;

    /// <summary>The most bytes one push to a follower carries (Kafka's <c>replica.fetch.max.bytes</c>).</summary>
    public int MaxPushBytes { get; set; } = 1024 * 1024;

    /// <summary>The wait before a leader retries a follower that failed or could not be reached (Kafka's <c>replica.fetch.backoff.ms</c>).</summary>
    public TimeSpan RetryBackoff { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// The longest wait between retries of a follower that keeps failing: the wait doubles from <see cref="RetryBackoff"/>
    /// up to this (Kafka's <c>reconnect.backoff.max.ms</c>). It also bounds how long a returning broker waits to be asked again.
    /// </summary>
    public TimeSpan RetryBackoffMax { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long the leader waits for one push or reconcile answer (or the coordinator's answer to an ISR change) before it tries again
    /// (Kafka's <c>replica.socket.timeout.ms</c> plays this part): a call that never returns must not stop replication.
    /// </summary>
    public TimeSpan ReplicaCallTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the coordinator re-checks live brokers even without a membership event.</summary>
    public TimeSpan LivenessCheckInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often each broker checkpoints the high watermark it knows for each of its logs (Kafka's <c>replica.high.watermark.checkpoint.interval.ms</c>).</summary>
    public TimeSpan HighWatermarkCheckpointInterval { get; set; } = TimeSpan.FromSeconds(5);
}
