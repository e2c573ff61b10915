using System.Collections.Concurrent;
using System.Collections.Immutable;
using Orleans.Storage;
using OrleansLog.Metadata;
using OrleansLog.Server.Metadata;
using OrleansLog.Server.Persistence;
using OrleansLog.Testing;

namespace OrleansLog.Server.Tests.Metadata;

/// <summary>The coordinator's topics over the embedded broker's real file storage, with the writes counted.</summary>
public sealed class TopicStoreTests : IDisposable
{
    private static readonly GrainId Coordinator = GrainId.Create("metadata", "cluster");

    private readonly TempDirectory _directory = new();
    private readonly StateFiles _files;

    public TopicStoreTests() => _files = new StateFiles(_directory.Path);

    [Fact]
    public async Task Topics_come_back_from_their_buckets_after_a_restart()
    {
        var store = await Open();
        foreach (var topic in Enumerable.Range(0, 50).Select(i => Topic($"t{i}")))
        {
            await store.PutAsync(topic, "a creation");
        }

        await store.RemoveAsync("t7", "a deletion");
        await store.PutAsync(Topic("t8") with { PartitionCount = 4 }, "a change");

        var again = await Open();
        Assert.Equal(49, again.Count);
        Assert.Null(again.TryGet("t7"));
        Assert.Equal(4, again.TryGet("t8")!.PartitionCount);
        Assert.Equal(again.All.Select(t => t.Name).Order(StringComparer.Ordinal), again.Sorted.Select(t => t.Name));
    }

    [Fact]
    public async Task A_change_writes_only_the_bucket_of_its_topic_however_many_topics_there_are()
    {
        var counting = new CountingStorage(FileStorage());
        var store = new TopicStore(counting, Coordinator);
        await store.LoadAsync();
        var many = Enumerable.Range(0, 3_000).Select(i => Topic($"topic-{i}")).ToList();
        Assert.Empty(await store.WriteAsync(many, []));
        counting.Writes.Clear();

        await store.PutAsync(Topic("one-more"), "a creation");

        var written = Assert.Single(counting.Writes);
        Assert.Equal($"topics-{TopicStore.BucketOf("one-more"):D4}", written.Key);
        Assert.True(written.Value <= 12, $"the bucket held {written.Value} topics");
    }

    [Fact]
    public async Task A_write_the_store_refuses_changes_nothing_and_is_a_retriable_storage_error()
    {
        var failing = new CountingStorage(FileStorage());
        var store = new TopicStore(failing, Coordinator);
        await store.LoadAsync();
        await store.PutAsync(Topic("kept"), "a creation");

        failing.FailWrites = true;
        var error = await Assert.ThrowsAsync<OrleansLogException>(() => store.PutAsync(Topic("lost"), "the creation of topic \"lost\""));
        var removal = await Assert.ThrowsAsync<OrleansLogException>(() => store.RemoveAsync("kept", "the deletion of topic \"kept\""));

        Assert.Equal(ErrorCode.KafkaStorageError, error.Code);
        Assert.Contains("did not save the creation of topic \"lost\"", error.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorCode.KafkaStorageError, removal.Code);
        Assert.Null(store.TryGet("lost"));
        Assert.NotNull(store.TryGet("kept"));
        Assert.Equal(["kept"], store.Sorted.Select(t => t.Name));

        failing.FailWrites = false;
        await store.PutAsync(Topic("lost"), "the creation again");
        Assert.Equal(2, (await Open()).Count);
    }

    [Fact]
    public async Task A_batch_answers_per_topic_when_some_buckets_are_refused()
    {
        var failing = new CountingStorage(FileStorage());
        var store = new TopicStore(failing, Coordinator);
        await store.LoadAsync();
        var topics = Enumerable.Range(0, 20).Select(i => Topic($"batch-{i}")).ToList();
        var refusedBucket = TopicStore.BucketOf("batch-3");
        failing.FailBucket = $"topics-{refusedBucket:D4}";

        var failures = await store.WriteAsync(topics, []);

        Assert.Equal(topics.Where(t => TopicStore.BucketOf(t.Name) == refusedBucket).Select(t => t.Name).Order(), failures.Keys.Order());
        Assert.All(topics, t => Assert.Equal(!failures.ContainsKey(t.Name), store.TryGet(t.Name) is not null));
    }

    [Fact]
    public async Task Names_that_differ_only_by_dot_and_underscore_collide()
    {
        var store = await Open();
        await store.PutAsync(Topic("orders.eu"), "a creation");

        Assert.Equal("orders.eu", store.Colliding("orders_eu"));
        Assert.Null(store.Colliding("orders.eu"));
        Assert.Null(store.Colliding("orders.us"));

        await store.RemoveAsync("orders.eu", "a deletion");
        Assert.Null(store.Colliding("orders_eu"));
    }

    [Fact]
    public void A_name_always_hashes_to_the_same_bucket()
    {
        // Stored topics are found by this hash: it must never change (FNV-1a of the UTF-8 name, modulo 1024).
        Assert.Equal(300, TopicStore.BucketOf("a")); // FNV-1a("a") = 0xE40C292C
        Assert.All(Enumerable.Range(0, 1_000), i => Assert.InRange(TopicStore.BucketOf($"t-{i}"), 0, TopicStore.BucketCount - 1));
    }

    public void Dispose()
    {
        _files.Dispose();
        _directory.Dispose();
    }

    private async Task<TopicStore> Open()
    {
        var store = new TopicStore(FileStorage(), Coordinator);
        await store.LoadAsync();
        return store;
    }

    private FileGrainStorage FileStorage() => _files.Storage;

    private static TopicDescription Topic(string name) =>
        new(name, Guid.NewGuid(), 1, ImmutableSortedDictionary<string, string>.Empty, DateTimeOffset.UnixEpoch, 1, [new PartitionLeadership(0, [0], 0, 0, [0])]);

    /// <summary>Records each bucket written and how many topics it held; refuses writes on demand, as a store that is down.</summary>
    private sealed class CountingStorage(IGrainStorage inner) : IGrainStorage
    {
        public ConcurrentDictionary<string, int> Writes { get; } = new();

        public bool FailWrites { get; set; }

        public string? FailBucket { get; set; }

        public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ReadStateAsync(stateName, grainId, grainState);

        public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            if (FailWrites || stateName == FailBucket)
            {
                throw new OrleansLogException(ErrorCode.KafkaStorageError, "Test fault: the state store is down.");
            }

            Writes[stateName] = grainState.State is TopicBucket bucket ? bucket.Topics.Count : -1;
            return inner.WriteStateAsync(stateName, grainId, grainState);
        }

        public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ClearStateAsync(stateName, grainId, grainState);
    }
}
