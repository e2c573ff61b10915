using Microsoft.Extensions.Time.Testing;
using OrleansLog.Records;
using OrleansLog.Storage.Compaction;
using OrleansLog.Testing;

namespace OrleansLog.Storage.Tests.Compaction;

/// <summary>
/// The look at a closed log's files that decides whether the broker's cleaner opens it: never "not due" for a log the
/// open log would find due by its dirty ratio, its tombstones or its active segment's age.
/// </summary>
public sealed class CleanableOnDiskTests : IDisposable
{
    private static readonly LogConfig Compacted = new() { Compact = true, SegmentBytes = 1_000, MinCleanableDirtyRatio = 0.5 };
    private readonly TempDirectory _root = new();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeMilliseconds(1_000_000));

    public void Dispose() => _root.Dispose();

    [Fact]
    public void A_log_that_is_not_compacted_or_not_there_is_never_due()
    {
        var directory = Write("deleted-0", Compacted with { Compact = false }, segments: 3);
        Assert.False(CleanableOnDisk.MayBeDue(directory, Compacted with { Compact = false }, Now));
        Assert.False(CleanableOnDisk.MayBeDue(Path.Combine(_root.Path, "missing-0"), Compacted, Now));
    }

    [Fact]
    public async Task A_dirty_log_may_be_due_and_a_freshly_cleaned_one_is_not()
    {
        var directory = Write("dirty-0", Compacted, segments: 3);
        Assert.True(CleanableOnDisk.MayBeDue(directory, Compacted, Now));

        using (var log = PartitionLog.Open(directory, Compacted, time: _time))
        {
            Assert.True((await log.CleanAsync(new OffsetMap(1 << 16), log.LogEndOffset)).Cleaned);
        }

        Assert.False(CleanableOnDisk.MayBeDue(directory, Compacted, Now));
    }

    [Fact]
    public async Task A_kept_tombstone_makes_the_log_due_once_its_time_is_over()
    {
        var config = Compacted with { DeleteRetentionMs = 10_000 };
        var directory = Path.Combine(_root.Path, "tombstones-0");
        using (var log = PartitionLog.Open(directory, config, time: _time))
        {
            log.Append(Batches.Keyed(CompressionType.None, Now, [("k", "v"), ("gone", null)]));
            log.Roll();
            Assert.True((await log.CleanAsync(new OffsetMap(1 << 16), log.LogEndOffset)).Cleaned);
        }

        Assert.False(CleanableOnDisk.MayBeDue(directory, config, Now));
        Assert.True(CleanableOnDisk.MayBeDue(directory, config, Now + 10_000));
    }

    [Fact]
    public void An_active_segment_past_max_compaction_lag_makes_the_log_due()
    {
        var config = Compacted with { MaxCompactionLagMs = 60_000, MinCleanableDirtyRatio = 1 };
        var directory = Path.Combine(_root.Path, "lagging-0");
        using (var log = PartitionLog.Open(directory, config, time: _time))
        {
            log.Append(Batches.Keyed(CompressionType.None, Now, [("k", "v")]));
        }

        Assert.False(CleanableOnDisk.MayBeDue(directory, config, Now + 60_000));
        Assert.True(CleanableOnDisk.MayBeDue(directory, config, Now + 60_001));
    }

    private long Now => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>A closed log of <paramref name="segments"/> sealed segments of updates to three keys, and an active one.</summary>
    private string Write(string name, LogConfig config, int segments)
    {
        var directory = Path.Combine(_root.Path, name);
        using var log = PartitionLog.Open(directory, config, time: _time);
        for (var s = 0; s < segments; s++)
        {
            for (var i = 0; i < 3; i++)
            {
                log.Append(Batches.Keyed(CompressionType.None, Now, [($"k{i}", $"v{s}")]));
            }

            log.Roll();
        }

        return directory;
    }
}
