using OrleansLog.Groups;

namespace OrleansLog.Client.Consuming;

/// <summary>Consumer settings, with Kafka's names and defaults unless a comment says otherwise.</summary>
public sealed class ConsumerConfig : ClientConfig
{
    /// <summary>The consumer group (<c>group.id</c>); needed for <c>Subscribe</c> and for commits.</summary>
    public string? GroupId { get; set; }

    /// <summary>Where to start in a partition without a committed offset (<c>auto.offset.reset</c>).</summary>
    public AutoOffsetReset AutoOffsetReset { get; set; } = AutoOffsetReset.Latest;

    /// <summary>Commit consumed positions in the background (<c>enable.auto.commit</c>).</summary>
    public bool EnableAutoCommit { get; set; } = true;

    /// <summary>How often positions are auto-committed (<c>auto.commit.interval.ms</c>).</summary>
    public TimeSpan AutoCommitInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Without a heartbeat for this long the group drops the member (<c>session.timeout.ms</c>).</summary>
    public TimeSpan SessionTimeout { get; set; } = TimeSpan.FromSeconds(45);

    /// <summary>How often the member heartbeats (<c>heartbeat.interval.ms</c>); well under the session timeout.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>The group's assignor (<c>partition.assignment.strategy</c>); cooperative-sticky moves the fewest partitions.</summary>
    public string PartitionAssignmentStrategy { get; set; } = PartitionAssignors.CooperativeSticky;

    /// <summary>A fetch waits until this many bytes are there or <see cref="FetchMaxWait"/> passes (<c>fetch.min.bytes</c>).</summary>
    public int FetchMinBytes { get; set; } = 1;

    /// <summary>The longest a fetch waits for <see cref="FetchMinBytes"/> (<c>fetch.max.wait.ms</c>).</summary>
    public TimeSpan FetchMaxWait { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The most bytes one fetch returns from a partition (at least one batch) (<c>max.partition.fetch.bytes</c>).</summary>
    public int MaxPartitionFetchBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// read_committed (the default, as in librdkafka and Confluent.Kafka) reads only committed transactions and stops at
    /// the last stable offset; read_uncommitted reads everything below the high watermark (<c>isolation.level</c>).
    /// </summary>
    public Partitions.IsolationLevel IsolationLevel { get; set; } = Partitions.IsolationLevel.ReadCommitted;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting that is invalid.</summary>
    public void Validate()
    {
        Require("consumer", GroupId is null || GroupId.Length > 0, "group.id", "must not be empty");
        Require("consumer", Enum.IsDefined(AutoOffsetReset), "auto.offset.reset", $"{AutoOffsetReset} is not earliest, latest or error");
        Require("consumer", AutoCommitInterval > TimeSpan.Zero, "auto.commit.interval.ms", "must be positive");
        Require("consumer", SessionTimeout > TimeSpan.Zero, "session.timeout.ms", "must be positive");
        Require("consumer", HeartbeatInterval > TimeSpan.Zero && HeartbeatInterval < SessionTimeout, "heartbeat.interval.ms", "must be positive and below session.timeout.ms");
        Require("consumer", PartitionAssignors.IsKnown(PartitionAssignmentStrategy), "partition.assignment.strategy", $"\"{PartitionAssignmentStrategy}\" is not range, roundrobin or cooperative-sticky");
        Require("consumer", FetchMinBytes >= 0, "fetch.min.bytes", "must not be negative");
        Require("consumer", FetchMaxWait >= TimeSpan.Zero, "fetch.max.wait.ms", "must not be negative");
        Require("consumer", MaxPartitionFetchBytes > 0, "max.partition.fetch.bytes", "must be positive");
        Require("consumer", Enum.IsDefined(IsolationLevel), "isolation.level", $"{IsolationLevel} is not read_committed or read_uncommitted");
    }
}
