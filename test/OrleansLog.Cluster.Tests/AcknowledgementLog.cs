using System.Collections.Concurrent;
using System.Diagnostics;

namespace OrleansLog.Cluster.Tests;

/// <summary>
/// What producers were told: every acknowledged value with its partition and offset, and when each
/// acknowledgement arrived, per producer and partition, so a test can read the longest silence on a
/// partition around a fault. Thread-safe: producers' callbacks record concurrently.
/// </summary>
public sealed class AcknowledgementLog
{
    private readonly ConcurrentDictionary<string, (int Partition, long Offset)> _acknowledged = new();
    private readonly ConcurrentQueue<(string Producer, int Partition, long At)> _times = new();
    private readonly ConcurrentDictionary<(string Producer, int Partition), long> _latest = new();

    public int Count => _acknowledged.Count;

    public IReadOnlyDictionary<string, (int Partition, long Offset)> Acknowledged => _acknowledged;

    /// <summary>Records an acknowledgement; fails when the same value was acknowledged twice.</summary>
    public void Record(string producer, string value, int partition, long offset)
    {
        if (!_acknowledged.TryAdd(value, (partition, offset)))
        {
            throw new InvalidOperationException($"{value} was acknowledged twice ({_acknowledged[value]} and {partition}/{offset}).");
        }

        var now = Stopwatch.GetTimestamp();
        _times.Enqueue((producer, partition, now));
        _latest.AddOrUpdate((producer, partition), now, (_, seen) => Math.Max(seen, now));
    }

    /// <summary>Whether <paramref name="producer"/> has had an acknowledgement on each of <paramref name="partitions"/> after <paramref name="since"/>.</summary>
    public bool AcknowledgedAfter(string producer, IEnumerable<int> partitions, long since) =>
        partitions.All(p => _latest.TryGetValue((producer, p), out var latest) && latest > since);

    /// <summary>For a failure message: when each producer was last acknowledged on each partition, relative to <paramref name="since"/>.</summary>
    public string DescribeLatest(long since) =>
        string.Join("; ", _latest.OrderBy(l => l.Key).Select(l => $"{l.Key.Producer} on {l.Key.Partition}: {Stopwatch.GetElapsedTime(since, l.Value).TotalMilliseconds:0} ms"));

    /// <summary>
    /// The longest time <paramref name="producer"/> went without an acknowledgement on any of
    /// <paramref name="partitions"/> between <paramref name="from"/> (the fault) and <paramref name="to"/>.
    /// </summary>
    public TimeSpan LongestSilence(string producer, IEnumerable<int> partitions, long from, long to)
    {
        var longest = 0L;
        foreach (var partition in partitions)
        {
            var previous = from;
            foreach (var at in _times.Where(t => t.Producer == producer && t.Partition == partition && t.At > from && t.At <= to).Select(t => t.At).Order())
            {
                longest = Math.Max(longest, at - previous);
                previous = at;
            }

            longest = Math.Max(longest, to - previous);
        }

        return Stopwatch.GetElapsedTime(0, longest);
    }
}
