using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using OrleansLog.Partitions;
using OrleansLog.Server.Diagnostics;
using OrleansLog.Storage.Compaction;

namespace OrleansLog.Server.Compaction;

/// <summary>
/// The cleaner's metrics on the broker's meter: passes by outcome, bytes read and written, and per compacted log the
/// dirty ratio and the seconds since it was last cleaned (what Kafka's <c>max-dirty-percent</c> and
/// <c>time-since-last-run-ms</c> tell). Thread-safe.
/// </summary>
public sealed class CleanerMetrics
{
    private readonly Counter<long> _runs;
    private readonly Counter<long> _bytesRead;
    private readonly Counter<long> _bytesWritten;
    private readonly ConcurrentDictionary<TopicPartition, LogState> _logs = new();
    private readonly TimeProvider _time;

    public CleanerMetrics(IMeterFactory meters, TimeProvider time)
    {
        _time = time;
        var meter = meters.Create(BrokerMetrics.MeterName);
        _runs = meter.CreateCounter<long>("orleanslog.cleaner.runs", description: "Cleaner passes over compacted logs, by outcome (cleaned, nothing to clean after a closer look, abandoned, failed).");
        _bytesRead = meter.CreateCounter<long>("orleanslog.cleaner.bytes_read", "By", "Log bytes the cleaner read.");
        _bytesWritten = meter.CreateCounter<long>("orleanslog.cleaner.bytes_written", "By", "Cleaned segment bytes the cleaner wrote.");
        meter.CreateObservableGauge("orleanslog.cleaner.dirty_ratio", () => Measure(s => s.DirtyRatio), description: "The dirty share of each compacted log's cleanable bytes, as of the cleaner's last look.");
        meter.CreateObservableGauge("orleanslog.cleaner.time_since_last_clean", () => Measure(s => s.LastCleanedMs < 0 ? -1 : (_time.GetUtcNow().ToUnixTimeMilliseconds() - s.LastCleanedMs) / 1000.0), "s", "Seconds since the cleaner last cleaned each compacted log (-1: not since the broker started).");
    }

    /// <summary>The dirty ratio of each compacted log the cleaner looked at in its last pass, with when it was last cleaned (-1: not since start).</summary>
    public IReadOnlyDictionary<TopicPartition, (double DirtyRatio, long LastCleanedMs)> Logs => _logs.ToDictionary(e => e.Key, e => (e.Value.DirtyRatio, e.Value.LastCleanedMs));

    /// <summary>Forgets logs the last pass did not look at (their topic was deleted, or this broker no longer holds them).</summary>
    public void KeepOnly(IReadOnlySet<TopicPartition> seen)
    {
        foreach (var partition in _logs.Keys)
        {
            if (!seen.Contains(partition))
            {
                _logs.TryRemove(partition, out _);
            }
        }
    }

    public void Inspected(TopicPartition partition, CleanableSection section) =>
        _logs.AddOrUpdate(partition, _ => new LogState(section.DirtyRatio, -1), (_, state) => state with { DirtyRatio = section.DirtyRatio });

    public void Ran(TopicPartition partition, CleanResult result, double dirtyRatioAfter)
    {
        // The log's state and the bytes before the run itself: a scrape that sees this run also sees what it read and
        // when it cleaned (the state after the counter once left a scrape with the run counted and the log's
        // time since its last clean still -1).
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        _logs[partition] = new LogState(dirtyRatioAfter, result.Cleaned ? now : _logs.TryGetValue(partition, out var state) ? state.LastCleanedMs : -1);
        _bytesRead.Add(result.BytesRead);
        _bytesWritten.Add(result.BytesWritten);
        _runs.Add(1, new KeyValuePair<string, object?>("outcome", result.Abandoned is not null ? "abandoned" : result.Cleaned ? "cleaned" : "nothing"));
    }

    public void Failed() => _runs.Add(1, new KeyValuePair<string, object?>("outcome", "failed"));

    private IEnumerable<Measurement<double>> Measure(Func<LogState, double> value) =>
        _logs.Select(e => new Measurement<double>(value(e.Value), new KeyValuePair<string, object?>("topic", e.Key.Topic), new KeyValuePair<string, object?>("partition", e.Key.Partition)));

    private sealed record LogState(double DirtyRatio, long LastCleanedMs);
}
