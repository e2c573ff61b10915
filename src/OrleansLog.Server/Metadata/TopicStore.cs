using System.Collections.Immutable;
using System.Text;
using Orleans.Storage;
using OrleansLog.Metadata;
using OrleansLog.Server.Persistence;

namespace OrleansLog.Server.Metadata;

/// <summary>
/// The coordinator's topics, persisted in <see cref="BucketCount"/> buckets of the cluster's grain storage (a
/// row each in PostgreSQL, a file each in embedded mode) by a stable hash of the topic name, so a change rewrites
/// one bucket of a few topics instead of every topic: creation stays as fast at 10,000 topics as at 10. All topics
/// are held in memory, with an index of names as Kafka compares them ('.' and '_' alike) and a sorted listing
/// built once per change.
/// <para>
/// Concurrency: one writer at a time (the coordinator's non-reentrant turns). Its lookups interleave with a write
/// that is awaiting the store, on the activation's one thread: they see the topics as they were until the write
/// has landed, never a change the store did not take.
/// </para>
/// </summary>
public sealed class TopicStore(IGrainStorage storage, GrainId owner)
{
    /// <summary>Fixed for good: a stored topic is found in the bucket its name hashes to.</summary>
    public const int BucketCount = 1024;

    /// <summary>Buckets read at once while loading.</summary>
    private const int LoadConcurrency = 32;

    private readonly GrainState<TopicBucket>[] _buckets = [.. Enumerable.Range(0, BucketCount).Select(_ => new GrainState<TopicBucket>(new TopicBucket()))];
    private readonly Dictionary<string, TopicDescription> _topics = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _namesAsKafkaCompares = new(StringComparer.Ordinal);
    private ImmutableArray<TopicDescription>? _sorted;

    public int Count => _topics.Count;

    /// <summary>Every topic, in no order.</summary>
    public IEnumerable<TopicDescription> All => _topics.Values;

    /// <summary>Every topic by name (ordinal), built once after each change.</summary>
    public ImmutableArray<TopicDescription> Sorted => _sorted ??= [.. _topics.Values.OrderBy(t => t.Name, StringComparer.Ordinal)];

    public TopicDescription? TryGet(string name) => _topics.GetValueOrDefault(name);

    /// <summary>Another topic whose name differs from <paramref name="name"/> only by '.' against '_' (Kafka refuses both: they collide in metric names).</summary>
    public string? Colliding(string name) => _namesAsKafkaCompares.TryGetValue(AsKafkaCompares(name), out var existing) && existing != name ? existing : null;

    /// <summary>The bucket a topic name is stored in: FNV-1a of its UTF-8 bytes, stable across processes and versions.</summary>
    public static int BucketOf(string name)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(name))
        {
            hash = (hash ^ b) * 16777619u;
        }

        return (int)(hash % BucketCount);
    }

    /// <summary>Reads every bucket (the coordinator's activation).</summary>
    public async Task LoadAsync()
    {
        using var gate = new SemaphoreSlim(LoadConcurrency);
        await Task.WhenAll(Enumerable.Range(0, BucketCount).Select(async index =>
        {
            await gate.WaitAsync();
            try
            {
                await storage.ReadStateAsync(StateName(index), owner, _buckets[index]);
            }
            finally
            {
                gate.Release();
            }
        }));

        _topics.Clear();
        _namesAsKafkaCompares.Clear();
        foreach (var bucket in _buckets)
        {
            foreach (var topic in Contents(bucket).Topics.Values)
            {
                Index(topic);
            }
        }

        _sorted = null;
    }

    /// <summary>Persists a new or changed topic; on failure nothing changes and KAFKA_STORAGE_ERROR (retriable) names <paramref name="change"/>.</summary>
    public async Task PutAsync(TopicDescription topic, string change)
    {
        var failures = await WriteAsync([topic], []);
        ThrowIfFailed(failures, change);
    }

    /// <summary>Removes a topic; on failure nothing changes and KAFKA_STORAGE_ERROR names <paramref name="change"/>.</summary>
    public async Task RemoveAsync(string name, string change)
    {
        var failures = await WriteAsync([], [name]);
        ThrowIfFailed(failures, change);
    }

    /// <summary>
    /// Persists several topics, each touched bucket written once and buckets written side by side. A bucket the
    /// store refuses keeps its topics as they were; the answer names the topics of each refused bucket with the
    /// store's error, so a batch (Kafka's CreateTopics) answers per topic.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, Exception>> WriteAsync(IReadOnlyCollection<TopicDescription> puts, IReadOnlyCollection<string> removals)
    {
        var byBucket = puts.Select(t => (Bucket: BucketOf(t.Name), Name: t.Name, Topic: (TopicDescription?)t))
            .Concat(removals.Select(name => (Bucket: BucketOf(name), Name: name, Topic: (TopicDescription?)null)))
            .GroupBy(c => c.Bucket);
        var failures = new Dictionary<string, Exception>(StringComparer.Ordinal);
        await Task.WhenAll(byBucket.Select(async changes =>
        {
            if (await WriteBucketAsync(changes.Key, [.. changes.Select(c => (c.Name, c.Topic))]) is { } failure)
            {
                foreach (var change in changes)
                {
                    failures[change.Name] = failure;
                }
            }
        }));
        return failures;
    }

    private async Task<Exception?> WriteBucketAsync(int index, IReadOnlyList<(string Name, TopicDescription? Topic)> changes)
    {
        var bucket = _buckets[index];
        var before = Contents(bucket);
        var next = new TopicBucket { Topics = new Dictionary<string, TopicDescription>(before.Topics, StringComparer.Ordinal) };
        foreach (var (name, topic) in changes)
        {
            if (topic is null)
            {
                next.Topics.Remove(name);
            }
            else
            {
                next.Topics[name] = topic;
            }
        }

        bucket.State = next;
        try
        {
            await storage.WriteStateAsync(StateName(index), owner, bucket);
        }
        catch (Exception e)
        {
            // A write whose answer was lost may have landed and left a stale version tag: read the bucket
            // again where the store answers, and hold in memory what it holds.
            bucket.State = before;
            try
            {
                await storage.ReadStateAsync(StateName(index), owner, bucket);
            }
            catch (Exception)
            {
                // Still unreachable: the bucket as it was stands, and the next failed write reads again.
            }

            Reindex(before, Contents(bucket));
            return e;
        }

        Reindex(before, next);
        return null;
    }

    /// <summary>Brings the in-memory index from a bucket's old contents to its new ones.</summary>
    private void Reindex(TopicBucket before, TopicBucket after)
    {
        foreach (var name in before.Topics.Keys.Where(name => !after.Topics.ContainsKey(name)))
        {
            _topics.Remove(name);
            _namesAsKafkaCompares.Remove(AsKafkaCompares(name));
        }

        foreach (var topic in after.Topics.Values)
        {
            Index(topic);
        }

        _sorted = null;
    }

    private void Index(TopicDescription topic)
    {
        _topics[topic.Name] = topic;
        _namesAsKafkaCompares[AsKafkaCompares(topic.Name)] = topic.Name;
    }

    private static void ThrowIfFailed(IReadOnlyDictionary<string, Exception> failures, string change)
    {
        if (failures.Values.FirstOrDefault() is { } failure)
        {
            throw new OrleansLogException(ErrorCode.KafkaStorageError,
                $"The cluster's state store did not save {change}, so nothing was changed; try again once it is back ({StoreFailure.Cause(failure)}).");
        }
    }

    /// <summary>A bucket's topics; a store may read a bucket never written as no state at all.</summary>
    private static TopicBucket Contents(GrainState<TopicBucket> bucket) => bucket.State ??= new TopicBucket();

    private static string StateName(int bucket) => $"topics-{bucket:D4}";

    private static string AsKafkaCompares(string name) => name.Replace('.', '_');
}
