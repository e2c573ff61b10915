using OrleansLog.Metadata;
using OrleansLog.Records;
using OrleansLog.Records.Compression;
using OrleansLog.Storage;

namespace OrleansLog.Server.Partitions;

/// <summary>
/// Maps a topic's configuration onto the storage engine's. It lives on the broker, not beside
/// <see cref="TopicConfig"/>, so the contracts clients ship never reference the segment engine.
/// </summary>
public static class TopicConfigExtensions
{
    /// <summary>The storage engine's view of these settings.</summary>
    public static LogConfig ToLogConfig(this TopicConfig config) => new()
    {
        // Time and size retention belong to the delete policy: a compact-only topic keeps every key's newest record forever.
        RetentionMs = config.DeletesByRetention ? config.RetentionMs : LogConfig.Unlimited,
        RetentionBytes = config.DeletesByRetention ? config.RetentionBytes : LogConfig.Unlimited,
        Compact = config.Compacts,
        DeleteRetentionMs = config.DeleteRetentionMs,
        MinCleanableDirtyRatio = config.MinCleanableDirtyRatio,
        MinCompactionLagMs = config.MinCompactionLagMs,
        MaxCompactionLagMs = config.MaxCompactionLagMs,
        SegmentBytes = config.SegmentBytes,
        SegmentMs = config.SegmentMs,
        MaxMessageBytes = config.MaxMessageBytes,
        FlushMessages = config.FlushMessages,
        FlushMs = config.FlushMs,
        IndexIntervalBytes = config.IndexIntervalBytes,
        MessageTimestampBeforeMaxMs = config.MessageTimestampBeforeMaxMs,
        MessageTimestampAfterMaxMs = config.MessageTimestampAfterMaxMs,
        Compression = StoredCompression(config.CompressionType),
        TimestampType = config.MessageTimestampType == "LogAppendTime" ? TimestampType.LogAppendTime : TimestampType.CreateTime,
    };

    /// <summary>The codec a topic's <c>compression.type</c> stores batches in; null for <c>producer</c> (keep theirs).</summary>
    private static CompressionType? StoredCompression(string compressionType) => compressionType switch
    {
        "producer" => null,
        _ when CompressionCodecs.TryParse(compressionType, out var codec) => codec,
        _ => throw new OrleansLogException(ErrorCode.InvalidConfig, $"compression.type=\"{compressionType}\" is not a codec."),
    };
}
