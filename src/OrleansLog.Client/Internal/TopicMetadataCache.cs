using System.Collections.Concurrent;
using OrleansLog.Metadata;

namespace OrleansLog.Client.Internal;

/// <summary>
/// Topic descriptions (partition counts, leader epochs) from the topic grains, cached for <c>metadata.max.age.ms</c>.
/// A refresh that cannot reach the cluster (a broker failing over) falls back to the expired entry, or
/// without one retries for up to <c>max.block.ms</c>.
/// </summary>
/// <remarks>
/// Every caller of a topic shares one lookup at a time. A producer with a thousand partitions in flight has a
/// thousand waiters asking "has this partition's leader moved?" every half second; each used to make its own call,
/// and each answer carries every partition of the topic, so on a slow broker the lookups alone took its CPU and
/// memory (the broker serialized about 160 KB per record produced at 1,000 partitions) and made it slower still.
/// Thread-safe: entries are replaced whole; the one lookup in flight per topic is swapped under a lock.
/// </remarks>
internal sealed class TopicMetadataCache(Func<string, Task<TopicDescription>> load, TimeSpan maxAge, TimeProvider time, TimeSpan? maxBlock = null)
{
    private static readonly TimeSpan RetryBackoff = TimeSpan.FromMilliseconds(100);

    private readonly ConcurrentDictionary<string, Entry> _topics = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Lookup> _inFlight = new(StringComparer.Ordinal);

    /// <summary>The cached description if it is fresh enough, without a call.</summary>
    public TopicDescription? TryGetCached(string topic) =>
        _topics.TryGetValue(topic, out var entry) && time.GetElapsedTime(entry.AskedAt) < maxAge ? entry.Topic : null;

    /// <summary>The topic, or UNKNOWN_TOPIC_OR_PARTITION.</summary>
    public async ValueTask<TopicDescription> GetAsync(string topic)
    {
        if (TryGetCached(topic) is { } cached)
        {
            return cached;
        }

        var started = time.GetTimestamp();
        while (true)
        {
            try
            {
                return await LookupAsync(topic, maxAge).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OrleansLogException)
            {
                if (_topics.TryGetValue(topic, out var stale))
                {
                    return stale.Topic;
                }

                if (time.GetElapsedTime(started) > (maxBlock ?? TimeSpan.FromSeconds(60)))
                {
                    throw new OrleansLogException(ErrorCode.RequestTimedOut, $"No metadata for topic \"{topic}\" within max.block.ms: {e.Message}", e);
                }

                await Task.Delay(RetryBackoff, time).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// A description asked of the cluster no more than <paramref name="notOlderThan"/> ago (a cached one, the lookup
    /// already under way, or a new one), or null when it cannot be reached now.
    /// </summary>
    public async ValueTask<TopicDescription?> FetchAsync(string topic, TimeSpan notOlderThan)
    {
        if (_topics.TryGetValue(topic, out var entry) && time.GetElapsedTime(entry.AskedAt) <= notOlderThan)
        {
            return entry.Topic;
        }

        try
        {
            return await LookupAsync(topic, notOlderThan).ConfigureAwait(false);
        }
        catch (Exception)
        {
            return null;
        }
    }

    /// <summary>Forgets a topic, after an error that says the cached view is wrong.</summary>
    public void Invalidate(string topic) => _topics.TryRemove(topic, out _);

    /// <summary>
    /// Joins the lookup under way if it was asked no more than <paramref name="notOlderThan"/> ago, else starts one.
    /// An older one is not joined: it may be waiting on a topic grain that died with its silo, and a new call reaches the new activation.
    /// </summary>
    private Task<TopicDescription> LookupAsync(string topic, TimeSpan notOlderThan)
    {
        Lookup lookup;
        lock (_inFlight)
        {
            if (_inFlight.TryGetValue(topic, out var running) && time.GetElapsedTime(running.AskedAt) <= notOlderThan)
            {
                return running.Answer;
            }

            lookup = new Lookup(time.GetTimestamp(), new TaskCompletionSource<TopicDescription>(TaskCreationOptions.RunContinuationsAsynchronously));
            _inFlight[topic] = lookup;
        }

        _ = AskAsync(topic, lookup);
        return lookup.Answer;
    }

    private async Task AskAsync(string topic, Lookup lookup)
    {
        try
        {
            var fresh = await load(topic).ConfigureAwait(false);
            // A slow older lookup that ends after a newer one does not replace its answer.
            var entry = new Entry(fresh, lookup.AskedAt);
            _topics.AddOrUpdate(topic, entry, (_, cached) => cached.AskedAt > entry.AskedAt ? cached : entry);
            lookup.Completion.TrySetResult(fresh);
        }
        catch (Exception e)
        {
            lookup.Completion.TrySetException(e);
        }
        finally
        {
            lock (_inFlight)
            {
                if (_inFlight.TryGetValue(topic, out var current) && ReferenceEquals(current, lookup))
                {
                    _inFlight.Remove(topic);
                }
            }
        }
    }

    /// <summary>A description and when it was asked for (a timestamp of the cache's clock).</summary>
    private sealed record Entry(TopicDescription Topic, long AskedAt);

    private sealed record Lookup(long AskedAt, TaskCompletionSource<TopicDescription> Completion)
    {
        public Task<TopicDescription> Answer => Completion.Task;
    }
}
