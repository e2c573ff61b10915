using OrleansLog.Storage.Segments;

namespace OrleansLog.Storage.Retention;

/// <summary>
/// Decides which whole segments retention deletes: the oldest ones whose newest record is older than
/// <c>retention.ms</c>, then the oldest ones while the log would still hold at least
/// <c>retention.bytes</c> without them. The active segment is never deleted; when it alone has
/// expired it is rolled, so the next run can delete it. Pure: no I/O.
/// </summary>
internal static class RetentionPolicy
{
    public static RetentionPlan Plan(ReadOnlySpan<LogSegment> segments, LogConfig config, long nowMs)
    {
        var sealedCount = segments.Length - 1;
        var delete = 0;
        if (config.RetentionMs >= 0)
        {
            var cutoff = nowMs - config.RetentionMs;
            while (delete < sealedCount && segments[delete].MaxTimestamp >= 0 && segments[delete].MaxTimestamp < cutoff)
            {
                delete++;
            }
        }

        if (config.RetentionBytes >= 0)
        {
            long total = 0;
            for (var i = delete; i < segments.Length; i++)
            {
                total += segments[i].Size;
            }

            while (delete < sealedCount && total - segments[delete].Size >= config.RetentionBytes)
            {
                total -= segments[delete].Size;
                delete++;
            }
        }

        var active = segments[^1];
        var rollActive = delete == sealedCount && config.RetentionMs >= 0 && !active.IsEmpty &&
            active.MaxTimestamp >= 0 && active.MaxTimestamp < nowMs - config.RetentionMs;
        return new RetentionPlan(delete, rollActive);
    }
}
