using OrleansLog.Metadata;
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
        RetentionMs = config.RetentionMs,
        RetentionBytes = config.RetentionBytes,
        SegmentBytes = config.SegmentBytes,
        SegmentMs = config.SegmentMs,
        MaxMessageBytes = config.MaxMessageBytes,
        FlushMessages = config.FlushMessages,
        FlushMs = config.FlushMs,
        IndexIntervalBytes = config.IndexIntervalBytes,
        MessageTimestampBeforeMaxMs = config.MessageTimestampBeforeMaxMs,
        MessageTimestampAfterMaxMs = config.MessageTimestampAfterMaxMs,
    };
}
