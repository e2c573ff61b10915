using OrleansLog.Records;
using OrleansLog.Storage.Retention;
using OrleansLog.Testing;

namespace OrleansLog.Storage.Tests;

/// <summary>
/// The retention pass's look at a closed log: it must never say "nothing to do" when retention would delete
/// something (the log would keep data past its retention), and should say it for a log that is within bounds
/// (or the pass would wake every idle partition).
/// </summary>
public sealed class RetentionOnDiskTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    private string Dir => _directory.Sub("topic-0");

    [Fact]
    public void A_closed_log_with_nothing_old_enough_or_big_enough_needs_no_retention()
    {
        var config = new LogConfig { RetentionMs = 60_000, RetentionBytes = 1_000_000 };
        Write(config, timestamp: 100_000, batches: 3);

        Assert.False(RetentionOnDisk.MayApply(Dir, config, nowMs: 150_000));
    }

    [Fact]
    public void A_closed_log_whose_oldest_records_passed_retention_ms_needs_retention_even_as_a_single_segment()
    {
        var config = new LogConfig { RetentionMs = 60_000 };
        Write(config, timestamp: 100_000, batches: 1);

        Assert.True(RetentionOnDisk.MayApply(Dir, config, nowMs: 160_001));
        Assert.False(RetentionOnDisk.MayApply(Dir, config, nowMs: 159_999));
    }

    [Fact]
    public void A_closed_log_past_retention_bytes_by_more_than_its_oldest_segment_needs_retention()
    {
        var batch = Batches.Of(CompressionType.None, 100_000, "x");
        var config = new LogConfig { SegmentBytes = batch.Length * 2, RetentionBytes = batch.Length * 3, RetentionMs = -1 };
        Write(config, timestamp: 100_000, batches: 4);
        Assert.False(RetentionOnDisk.MayApply(Dir, config, nowMs: 100_000));

        Write(config, timestamp: 100_000, batches: 4);
        Assert.True(RetentionOnDisk.MayApply(Dir, config, nowMs: 100_000));

        // What the look promised, opening the log delivers.
        using var log = PartitionLog.Open(Dir, config);
        Assert.True(log.ApplyRetention().DeletedSegments > 0);
    }

    [Fact]
    public void Retention_turned_off_never_needs_a_look()
    {
        var config = new LogConfig { RetentionMs = -1, RetentionBytes = -1 };
        Write(config, timestamp: 1, batches: 2);

        Assert.False(RetentionOnDisk.MayApply(Dir, config, nowMs: long.MaxValue / 2));
    }

    [Fact]
    public void An_empty_log_needs_nothing_even_with_a_time_limit()
    {
        var config = new LogConfig { RetentionMs = 1 };
        Write(config, timestamp: 1, batches: 0);

        Assert.False(RetentionOnDisk.MayApply(Dir, config, nowMs: 1_000_000));
    }

    [Fact]
    public void A_partition_with_no_directory_yet_needs_nothing() =>
        Assert.False(RetentionOnDisk.MayApply(Dir, new LogConfig { RetentionMs = 1 }, nowMs: 1_000_000));

    public void Dispose() => _directory.Dispose();

    /// <summary>Appends <paramref name="batches"/> one-record batches stamped <paramref name="timestamp"/>, then closes the log cleanly.</summary>
    private void Write(LogConfig config, long timestamp, int batches)
    {
        using var log = PartitionLog.Open(Dir, config);
        for (var i = 0; i < batches; i++)
        {
            log.Append(Batches.Of(CompressionType.None, timestamp, "x"));
        }
    }
}
