using System.Collections.Concurrent;
using OrleansLog.Metadata;
using OrleansLog.Topics;

namespace OrleansLog.Client.Internal;

/// <summary>
/// Topic descriptions (partition counts) from the topic grains, cached for <c>metadata.max.age.ms</c>.
/// A refresh that cannot reach the cluster (a broker failing over) falls back to the expired entry, or
/// without one retries for up to <c>max.block.ms</c>. Thread-safe.
/// </summary>
internal sealed class TopicMetadataCache(IGrainFactory grains, TimeSpan maxAge, TimeProvider time, TimeSpan? maxBlock = null)
{
    private static readonly TimeSpan RetryBackoff = TimeSpan.FromMilliseconds(100);

    private readonly ConcurrentDictionary<string, Entry> _topics = new(StringComparer.Ordinal);

    /// <summary>The cached description if it is fresh enough, without a call.</summary>
    public TopicDescription? TryGetCached(string topic) =>
        _topics.TryGetValue(topic, out var entry) && time.GetUtcNow() - entry.FetchedAt < maxAge ? entry.Topic : null;

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
                return await LoadAsync(topic).ConfigureAwait(false);
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

    /// <summary>A fresh description from the cluster (cached for the next caller), or null when it cannot be reached now.</summary>
    public async ValueTask<TopicDescription?> FetchAsync(string topic)
    {
        try
        {
            return await LoadAsync(topic).ConfigureAwait(false);
        }
        catch (Exception)
        {
            return null;
        }
    }

    /// <summary>Forgets a topic, after an error that says the cached view is wrong.</summary>
    public void Invalidate(string topic) => _topics.TryRemove(topic, out _);

    /// <summary>Asks the topic grain and caches the answer.</summary>
    private async Task<TopicDescription> LoadAsync(string topic)
    {
        var fresh = await grains.GetGrain<ITopicGrain>(topic).GetMetadata().ConfigureAwait(false);
        _topics[topic] = new Entry(fresh, time.GetUtcNow());
        return fresh;
    }

    private sealed record Entry(TopicDescription Topic, DateTimeOffset FetchedAt);
}
