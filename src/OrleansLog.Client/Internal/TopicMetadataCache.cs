using System.Collections.Concurrent;
using OrleansLog.Metadata;
using OrleansLog.Topics;

namespace OrleansLog.Client.Internal;

/// <summary>Topic descriptions (partition counts) from the topic grains, cached for <c>metadata.max.age.ms</c>. Thread-safe.</summary>
internal sealed class TopicMetadataCache(IGrainFactory grains, TimeSpan maxAge, TimeProvider time)
{
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

        var fresh = await grains.GetGrain<ITopicGrain>(topic).GetMetadata().ConfigureAwait(false);
        _topics[topic] = new Entry(fresh, time.GetUtcNow());
        return fresh;
    }

    /// <summary>Forgets a topic, after an error that says the cached view is wrong.</summary>
    public void Invalidate(string topic) => _topics.TryRemove(topic, out _);

    private sealed record Entry(TopicDescription Topic, DateTimeOffset FetchedAt);
}
