using System.Diagnostics.Metrics;
using Microsoft.Extensions.Time.Testing;
using OrleansLog.Partitions;
using OrleansLog.Server.Compaction;
using OrleansLog.Server.Tests.Replication;
using OrleansLog.Storage.Compaction;

namespace OrleansLog.Server.Tests.Compaction;

public class CleanerMetricsTests
{
    private static readonly TopicPartition Log = new("compacted", 0);

    /// <summary>A quarter clean, three quarters dirty.</summary>
    private static readonly CleanableSection Section = new(0, 100, 1_000, 3_000, false, false);

    [Fact]
    public void A_run_is_counted_only_after_the_logs_state_and_the_bytes_it_read()
    {
        using var meters = new TestMeterFactory();
        var (metrics, time) = Inspected(meters);

        // A scrape between the run's counter and the log's state would see the run and a log never cleaned.
        (long BytesRead, long LastCleanedMs)? seenWithTheRun = null;
        long bytesRead = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name is "orleanslog.cleaner.runs" or "orleanslog.cleaner.bytes_read")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            if (instrument.Name == "orleanslog.cleaner.bytes_read")
            {
                bytesRead += value;
            }
            else
            {
                seenWithTheRun = (bytesRead, metrics.Logs[Log].LastCleanedMs);
            }
        });
        listener.Start();

        metrics.Ran(Log, new CleanResult(Section, 100, 4_000, 1_500, 2, 1, null), 0);

        Assert.Equal((4_000L, time.GetUtcNow().ToUnixTimeMilliseconds()), seenWithTheRun);
        Assert.Equal(0, metrics.Logs[Log].DirtyRatio);
    }

    [Fact]
    public void A_run_that_cleaned_nothing_keeps_the_time_of_the_last_clean()
    {
        using var meters = new TestMeterFactory();
        var (metrics, time) = Inspected(meters);
        Assert.Equal(-1, metrics.Logs[Log].LastCleanedMs);

        metrics.Ran(Log, new CleanResult(Section, 100, 4_000, 1_500, 2, 1, null), 0);
        var cleanedAt = time.GetUtcNow().ToUnixTimeMilliseconds();
        time.Advance(TimeSpan.FromSeconds(5));
        metrics.Ran(Log, CleanResult.Nothing(Section), 0.5);

        Assert.Equal((0.5, cleanedAt), metrics.Logs[Log]);
    }

    /// <summary>Metrics whose cleaner has looked at <see cref="Log"/> once, on a fake clock.</summary>
    private static (CleanerMetrics Metrics, FakeTimeProvider Time) Inspected(TestMeterFactory meters)
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddSeconds(1_000));
        var metrics = new CleanerMetrics(meters, time);
        metrics.Inspected(Log, Section);
        return (metrics, time);
    }
}
