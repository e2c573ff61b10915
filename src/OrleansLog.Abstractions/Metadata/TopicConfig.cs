using System.Collections.Immutable;
using System.Globalization;

namespace OrleansLog.Metadata;

/// <summary>
/// A topic's settings under Kafka's names, parsed and validated in one place. Topics store only their
/// overrides; everything else takes Kafka's default, except durability (<c>flush.messages</c> = 1:
/// OrleansLog fsyncs before acknowledging, with group commit). Immutable.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record TopicConfig
{
    public const string RetentionMsKey = "retention.ms";
    public const string RetentionBytesKey = "retention.bytes";
    public const string SegmentBytesKey = "segment.bytes";
    public const string SegmentMsKey = "segment.ms";
    public const string CleanupPolicyKey = "cleanup.policy";
    public const string MaxMessageBytesKey = "max.message.bytes";
    public const string MinInsyncReplicasKey = "min.insync.replicas";
    public const string CompressionTypeKey = "compression.type";
    public const string FlushMessagesKey = "flush.messages";
    public const string FlushMsKey = "flush.ms";
    public const string IndexIntervalBytesKey = "index.interval.bytes";
    public const string UncleanLeaderElectionEnableKey = "unclean.leader.election.enable";
    public const string ValueSchemaValidationKey = "confluent.value.schema.validation";
    public const string KeySchemaValidationKey = "confluent.key.schema.validation";
    public const string MessageTimestampTypeKey = "message.timestamp.type";
    public const string MessageTimestampBeforeMaxMsKey = "message.timestamp.before.max.ms";
    public const string MessageTimestampAfterMaxMsKey = "message.timestamp.after.max.ms";
    public const string DeleteRetentionMsKey = "delete.retention.ms";
    public const string MinCleanableDirtyRatioKey = "min.cleanable.dirty.ratio";
    public const string MinCompactionLagMsKey = "min.compaction.lag.ms";
    public const string MaxCompactionLagMsKey = "max.compaction.lag.ms";

    private static readonly string[] CompressionTypes = ["producer", "uncompressed", "gzip", "snappy", "lz4", "zstd"];
    private static readonly string[] TimestampTypes = ["CreateTime", "LogAppendTime"];

    /// <summary>Every config a topic accepts.</summary>
    public static ImmutableArray<string> Names { get; } =
    [
        CleanupPolicyKey, CompressionTypeKey, KeySchemaValidationKey, DeleteRetentionMsKey, FlushMessagesKey, FlushMsKey, IndexIntervalBytesKey,
        MaxCompactionLagMsKey, MaxMessageBytesKey, MessageTimestampAfterMaxMsKey, MessageTimestampBeforeMaxMsKey, MessageTimestampTypeKey,
        MinCleanableDirtyRatioKey, MinCompactionLagMsKey, MinInsyncReplicasKey, RetentionBytesKey, RetentionMsKey, SegmentBytesKey, SegmentMsKey,
        UncleanLeaderElectionEnableKey, ValueSchemaValidationKey,
    ];

    [Id(0)]
    public long RetentionMs { get; init; } = 7L * 24 * 60 * 60 * 1000;

    [Id(1)]
    public long RetentionBytes { get; init; } = -1;

    [Id(2)]
    public int SegmentBytes { get; init; } = 1024 * 1024 * 1024;

    [Id(3)]
    public long SegmentMs { get; init; } = 7L * 24 * 60 * 60 * 1000;

    /// <summary><c>cleanup.policy</c>: <c>delete</c>, <c>compact</c>, or both as <c>compact,delete</c> (normalised to that order).</summary>
    [Id(4)]
    public string CleanupPolicy { get; init; } = "delete";

    [Id(5)]
    public int MaxMessageBytes { get; init; } = 1024 * 1024 + 12;

    [Id(6)]
    public int MinInsyncReplicas { get; init; } = 1;

    [Id(7)]
    public string CompressionType { get; init; } = "producer";

    [Id(8)]
    public long FlushMessages { get; init; } = 1;

    [Id(9)]
    public long FlushMs { get; init; } = long.MaxValue;

    [Id(10)]
    public int IndexIntervalBytes { get; init; } = 4096;

    /// <summary>Whether a replica outside the ISR may become leader when none inside is alive (losing what it lacks).</summary>
    [Id(11)]
    public bool UncleanLeaderElectionEnable { get; init; }

    /// <summary>
    /// Whether every produced value must carry Confluent's wire header (magic 0, schema id) naming a schema
    /// registered under the subject "&lt;topic&gt;-value" (Confluent Server's rule, on every produce path);
    /// the REST API's produce also checks the value against the latest schema and frames it.
    /// </summary>
    [Id(12)]
    public bool ValueSchemaValidation { get; init; }

    /// <summary>How far in the past a record's create time may be (Kafka's <c>message.timestamp.before.max.ms</c>; unlimited).</summary>
    [Id(13)]
    public long MessageTimestampBeforeMaxMs { get; init; } = long.MaxValue;

    /// <summary>How far in the future a record's create time may be (Kafka 4.0's <c>message.timestamp.after.max.ms</c> default: one hour).</summary>
    [Id(14)]
    public long MessageTimestampAfterMaxMs { get; init; } = 60 * 60 * 1000;

    /// <summary>Whether every produced key must carry Confluent's wire header naming a schema registered under "&lt;topic&gt;-key".</summary>
    [Id(15)]
    public bool KeySchemaValidation { get; init; }

    /// <summary><c>message.timestamp.type</c>: CreateTime keeps the producer's times; LogAppendTime stamps each batch with the leader's clock.</summary>
    [Id(16)]
    public string MessageTimestampType { get; init; } = "CreateTime";

    /// <summary><c>delete.retention.ms</c>: how long a tombstone stays after the cleaner first cleaned it (one day).</summary>
    [Id(17)]
    public long DeleteRetentionMs { get; init; } = 24L * 60 * 60 * 1000;

    /// <summary><c>min.cleanable.dirty.ratio</c>: the share of a compacted log's cleanable bytes that must be dirty before the cleaner takes it.</summary>
    [Id(18)]
    public double MinCleanableDirtyRatio { get; init; } = 0.5;

    /// <summary><c>min.compaction.lag.ms</c>: a record stays uncompacted at least this long.</summary>
    [Id(19)]
    public long MinCompactionLagMs { get; init; }

    /// <summary><c>max.compaction.lag.ms</c>: a record is compacted at most about this long after it was written, whatever the dirty ratio.</summary>
    [Id(20)]
    public long MaxCompactionLagMs { get; init; } = long.MaxValue;

    /// <summary>Whether the policy has <c>compact</c>: the cleaner keeps each key's newest record.</summary>
    public bool Compacts => CleanupPolicy.Contains("compact", StringComparison.Ordinal);

    /// <summary>Whether the policy has <c>delete</c>: <c>retention.ms</c> and <c>retention.bytes</c> delete old segments.</summary>
    public bool DeletesByRetention => CleanupPolicy.Contains("delete", StringComparison.Ordinal);

    /// <summary>Applies <paramref name="overrides"/> to the defaults; an unknown name or a bad value is INVALID_CONFIG naming it.</summary>
    public static TopicConfig Parse(IReadOnlyDictionary<string, string>? overrides)
    {
        var config = new TopicConfig();
        if (overrides is null)
        {
            return config;
        }

        foreach (var (name, value) in overrides)
        {
            config = config.With(name, value);
        }

        return config;
    }

    /// <summary>Every effective value, overridden or default, by Kafka name.</summary>
    public ImmutableSortedDictionary<string, string> ToDictionary() => new Dictionary<string, string>
    {
        [RetentionMsKey] = Format(RetentionMs),
        [RetentionBytesKey] = Format(RetentionBytes),
        [SegmentBytesKey] = Format(SegmentBytes),
        [SegmentMsKey] = Format(SegmentMs),
        [CleanupPolicyKey] = CleanupPolicy,
        [MaxMessageBytesKey] = Format(MaxMessageBytes),
        [MinInsyncReplicasKey] = Format(MinInsyncReplicas),
        [CompressionTypeKey] = CompressionType,
        [FlushMessagesKey] = Format(FlushMessages),
        [FlushMsKey] = Format(FlushMs),
        [IndexIntervalBytesKey] = Format(IndexIntervalBytes),
        [UncleanLeaderElectionEnableKey] = UncleanLeaderElectionEnable ? "true" : "false",
        [ValueSchemaValidationKey] = ValueSchemaValidation ? "true" : "false",
        [KeySchemaValidationKey] = KeySchemaValidation ? "true" : "false",
        [MessageTimestampTypeKey] = MessageTimestampType,
        [MessageTimestampBeforeMaxMsKey] = Format(MessageTimestampBeforeMaxMs),
        [MessageTimestampAfterMaxMsKey] = Format(MessageTimestampAfterMaxMs),
        [DeleteRetentionMsKey] = Format(DeleteRetentionMs),
        [MinCleanableDirtyRatioKey] = MinCleanableDirtyRatio.ToString(CultureInfo.InvariantCulture),
        [MinCompactionLagMsKey] = Format(MinCompactionLagMs),
        [MaxCompactionLagMsKey] = Format(MaxCompactionLagMs),
    }.ToImmutableSortedDictionary(StringComparer.Ordinal);

    private TopicConfig With(string name, string value) => name switch
    {
        RetentionMsKey => this with { RetentionMs = ParseLong(name, value, min: -1) },
        RetentionBytesKey => this with { RetentionBytes = ParseLong(name, value, min: -1) },
        SegmentBytesKey => this with { SegmentBytes = (int)ParseLong(name, value, min: 14, max: int.MaxValue) },
        SegmentMsKey => this with { SegmentMs = ParseLong(name, value, min: 1) },
        MaxMessageBytesKey => this with { MaxMessageBytes = (int)ParseLong(name, value, min: 0, max: int.MaxValue) },
        MinInsyncReplicasKey => this with { MinInsyncReplicas = (int)ParseLong(name, value, min: 1, max: int.MaxValue) },
        FlushMessagesKey => this with { FlushMessages = ParseLong(name, value, min: 1) },
        FlushMsKey => this with { FlushMs = ParseLong(name, value, min: 0) },
        IndexIntervalBytesKey => this with { IndexIntervalBytes = (int)ParseLong(name, value, min: 0, max: int.MaxValue) },
        CompressionTypeKey => this with { CompressionType = ParseChoice(name, value, CompressionTypes) },
        CleanupPolicyKey => this with { CleanupPolicy = ParseCleanupPolicy(value) },
        UncleanLeaderElectionEnableKey => this with { UncleanLeaderElectionEnable = ParseBool(name, value) },
        ValueSchemaValidationKey => this with { ValueSchemaValidation = ParseBool(name, value) },
        KeySchemaValidationKey => this with { KeySchemaValidation = ParseBool(name, value) },
        MessageTimestampTypeKey => this with { MessageTimestampType = ParseExact(name, value, TimestampTypes) },
        MessageTimestampBeforeMaxMsKey => this with { MessageTimestampBeforeMaxMs = ParseLong(name, value, min: 0) },
        MessageTimestampAfterMaxMsKey => this with { MessageTimestampAfterMaxMs = ParseLong(name, value, min: 0) },
        DeleteRetentionMsKey => this with { DeleteRetentionMs = ParseLong(name, value, min: 0) },
        MinCleanableDirtyRatioKey => this with { MinCleanableDirtyRatio = ParseRatio(name, value) },
        MinCompactionLagMsKey => this with { MinCompactionLagMs = ParseLong(name, value, min: 0) },
        MaxCompactionLagMsKey => this with { MaxCompactionLagMs = ParseLong(name, value, min: 1) },
        _ => throw new OrleansLogException(ErrorCode.InvalidConfig, $"Unknown topic config \"{name}\"; known configs: {string.Join(", ", Names)}."),
    };

    private static long ParseLong(string name, string value, long min, long max = long.MaxValue)
    {
        if (!long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
        {
            throw new OrleansLogException(ErrorCode.InvalidConfig, $"{name}=\"{value}\" is not a whole number.");
        }

        if (number < min || number > max)
        {
            var range = max == long.MaxValue ? $"at least {min}" : $"between {min} and {max}";
            throw new OrleansLogException(ErrorCode.InvalidConfig, $"{name}={number} is out of range: it must be {range}.");
        }

        return number;
    }

    private static bool ParseBool(string name, string value) => value.Trim().ToLowerInvariant() switch
    {
        "true" => true,
        "false" => false,
        _ => throw new OrleansLogException(ErrorCode.InvalidConfig, $"{name}=\"{value}\" is not true or false."),
    };

    private static string ParseChoice(string name, string value, string[] choices)
    {
        var normalized = value.Trim().ToLowerInvariant();
        return Array.IndexOf(choices, normalized) >= 0
            ? normalized
            : throw new OrleansLogException(ErrorCode.InvalidConfig, $"{name}=\"{value}\" is not one of {string.Join(", ", choices)}.");
    }

    /// <summary>Kafka spells these choices in mixed case and compares them exactly.</summary>
    private static string ParseExact(string name, string value, string[] choices) =>
        Array.IndexOf(choices, value.Trim()) is var index and >= 0
            ? choices[index]
            : throw new OrleansLogException(ErrorCode.InvalidConfig, $"{name}=\"{value}\" is not one of {string.Join(", ", choices)}.");

    private static string ParseCleanupPolicy(string value)
    {
        var policies = value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (policies.Length == 0 || policies.Any(p => p is not ("delete" or "compact")))
        {
            throw new OrleansLogException(ErrorCode.InvalidConfig, $"cleanup.policy=\"{value}\" is not a list of delete and compact.");
        }

        var compact = policies.Contains("compact");
        var delete = policies.Contains("delete");
        return compact && delete ? "compact,delete" : compact ? "compact" : "delete";
    }

    private static double ParseRatio(string name, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var ratio) && ratio is >= 0 and <= 1
            ? ratio
            : throw new OrleansLogException(ErrorCode.InvalidConfig, $"{name}=\"{value}\" is not a number between 0 and 1.");

    private static string Format(long value) => value.ToString(CultureInfo.InvariantCulture);
}
