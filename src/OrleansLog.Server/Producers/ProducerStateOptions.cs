namespace OrleansLog.Server.Producers;

/// <summary>What partitions keep of idempotent producers, bound from <c>OrleansLog:Producers</c> (Kafka's names in comments).</summary>
public sealed class ProducerStateOptions
{
    public const string SectionName = "OrleansLog:Producers";

    /// <summary>A producer not heard from for this long is forgotten by each partition (<c>producer.id.expiration.ms</c>: one day).</summary>
    public TimeSpan IdExpiration { get; set; } = TimeSpan.FromDays(1);

    /// <summary>A leader snapshots its producer state each time its log grew this many offsets, and when its term ends (Kafka snapshots at each segment roll).</summary>
    public long SnapshotEveryOffsets { get; set; } = 50_000;

    /// <summary>How often a partition leader looks for producers to forget.</summary>
    public TimeSpan ExpirationCheckInterval { get; set; } = TimeSpan.FromMinutes(1);
}
