using OrleansLog.Records;

namespace OrleansLog.Storage;

/// <summary>
/// The settings of one log, with Kafka's topic-config names and defaults, except durability:
/// OrleansLog flushes before it acknowledges (<see cref="FlushMessages"/> = 1, with group commit)
/// where Kafka leaves flushing to the OS. An immutable value; change a log's config by passing a new one.
/// </summary>
public sealed record LogConfig
{
    public const long Unlimited = -1;

    /// <summary><c>segment.bytes</c>: the active segment rolls before it would grow past this.</summary>
    public int SegmentBytes { get; init; } = 1024 * 1024 * 1024;

    /// <summary><c>segment.ms</c>: the active segment rolls once its first batch is this old.</summary>
    public long SegmentMs { get; init; } = 7L * 24 * 60 * 60 * 1000;

    /// <summary><c>index.interval.bytes</c>: bytes of log between two offset-index entries.</summary>
    public int IndexIntervalBytes { get; init; } = 4096;

    /// <summary><c>max.message.bytes</c>: the largest record batch accepted, header included.</summary>
    public int MaxMessageBytes { get; init; } = 1024 * 1024 + 12;

    /// <summary><c>flush.messages</c>: flush once this many messages are unflushed; 1 flushes every append before it is acknowledged.</summary>
    public long FlushMessages { get; init; } = 1;

    /// <summary><c>flush.ms</c>: flush at least this often while anything is unflushed; <see cref="long.MaxValue"/> for never.</summary>
    public long FlushMs { get; init; } = long.MaxValue;

    /// <summary><c>retention.ms</c>: delete segments whose newest record is older; -1 keeps them forever.</summary>
    public long RetentionMs { get; init; } = 7L * 24 * 60 * 60 * 1000;

    /// <summary><c>retention.bytes</c>: delete the oldest segments while the log is larger; -1 for no limit.</summary>
    public long RetentionBytes { get; init; } = Unlimited;

    /// <summary><c>message.timestamp.before.max.ms</c>: how far before the broker's clock a produced record's create time may be.</summary>
    public long MessageTimestampBeforeMaxMs { get; init; } = long.MaxValue;

    /// <summary><c>message.timestamp.after.max.ms</c>: how far after the broker's clock a produced record's create time may be.</summary>
    public long MessageTimestampAfterMaxMs { get; init; } = 60 * 60 * 1000;

    /// <summary><c>compression.type</c>: the codec a leader stores produced batches in, recompressing where they differ; null keeps the producer's (Kafka's <c>producer</c>).</summary>
    public CompressionType? Compression { get; init; }

    /// <summary><c>message.timestamp.type</c>: with <see cref="TimestampType.LogAppendTime"/> a leader stamps each produced batch with its clock and ignores the producer's times.</summary>
    public TimestampType TimestampType { get; init; } = TimestampType.CreateTime;

    /// <summary>
    /// <c>cleanup.policy</c> has <c>compact</c>: the cleaner keeps the latest record of each key, and produced records
    /// must have a key. Time and size retention apply only when the policy also has <c>delete</c> (the broker then passes
    /// <see cref="RetentionMs"/> and <see cref="RetentionBytes"/>; with <c>compact</c> alone it passes -1 for both).
    /// </summary>
    public bool Compact { get; init; }

    /// <summary><c>delete.retention.ms</c>: how long a tombstone (a record with a key and no value) is kept after the cleaner first cleaned it.</summary>
    public long DeleteRetentionMs { get; init; } = 24L * 60 * 60 * 1000;

    /// <summary><c>min.compaction.lag.ms</c>: a record stays uncompacted at least this long after it was written.</summary>
    public long MinCompactionLagMs { get; init; }

    /// <summary><c>max.compaction.lag.ms</c>: a record is compacted at most about this long after it was written, however clean the log is.</summary>
    public long MaxCompactionLagMs { get; init; } = long.MaxValue;

    /// <summary><c>min.cleanable.dirty.ratio</c>: the cleaner takes a log once this share of its cleanable bytes is dirty.</summary>
    public double MinCleanableDirtyRatio { get; init; } = 0.5;

    /// <summary>Whether an append waits for a flush before it is acknowledged.</summary>
    public bool FlushesEveryAppend => FlushMessages <= 1;

    /// <summary>Throws INVALID_CONFIG naming the first setting out of range.</summary>
    public LogConfig Validate()
    {
        Require(SegmentBytes >= 14, "segment.bytes", SegmentBytes, "at least 14");
        Require(SegmentMs >= 1, "segment.ms", SegmentMs, "at least 1");
        Require(IndexIntervalBytes >= 0, "index.interval.bytes", IndexIntervalBytes, "at least 0");
        Require(MaxMessageBytes >= 0, "max.message.bytes", MaxMessageBytes, "at least 0");
        Require(FlushMessages >= 1, "flush.messages", FlushMessages, "at least 1");
        Require(FlushMs >= 0, "flush.ms", FlushMs, "at least 0");
        Require(RetentionMs >= -1, "retention.ms", RetentionMs, "-1 or more");
        Require(RetentionBytes >= -1, "retention.bytes", RetentionBytes, "-1 or more");
        Require(MessageTimestampBeforeMaxMs >= 0, "message.timestamp.before.max.ms", MessageTimestampBeforeMaxMs, "at least 0");
        Require(MessageTimestampAfterMaxMs >= 0, "message.timestamp.after.max.ms", MessageTimestampAfterMaxMs, "at least 0");
        Require(Compression is null || Enum.IsDefined(Compression.Value), "compression.type", (long?)Compression ?? 0, "a codec of none, gzip, snappy, lz4 or zstd");
        Require(DeleteRetentionMs >= 0, "delete.retention.ms", DeleteRetentionMs, "at least 0");
        Require(MinCompactionLagMs >= 0, "min.compaction.lag.ms", MinCompactionLagMs, "at least 0");
        Require(MaxCompactionLagMs >= 1, "max.compaction.lag.ms", MaxCompactionLagMs, "at least 1");
        if (MinCleanableDirtyRatio is < 0 or > 1 || double.IsNaN(MinCleanableDirtyRatio))
        {
            throw new OrleansLogException(ErrorCode.InvalidConfig, $"min.cleanable.dirty.ratio={MinCleanableDirtyRatio} is invalid: it must be between 0 and 1.");
        }

        Require(Enum.IsDefined(TimestampType), "message.timestamp.type", (long)TimestampType, "CreateTime (0) or LogAppendTime (1)");
        return this;
    }

    private static void Require(bool ok, string name, long value, string rule)
    {
        if (!ok)
        {
            throw new OrleansLogException(ErrorCode.InvalidConfig, $"{name}={value} is invalid: it must be {rule}.");
        }
    }
}
