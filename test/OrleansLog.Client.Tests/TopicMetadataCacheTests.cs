using System.Collections.Immutable;
using Microsoft.Extensions.Time.Testing;
using OrleansLog.Client.Internal;
using OrleansLog.Metadata;

namespace OrleansLog.Client.Tests;

/// <summary>The producer's topic metadata cache: shared lookups and how old an answer may be.</summary>
public sealed class TopicMetadataCacheTests
{
    private static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan HalfSecond = TimeSpan.FromMilliseconds(500);

    private readonly FakeTimeProvider _time = new();
    private readonly List<TaskCompletionSource<TopicDescription>> _calls = [];

    private TopicMetadataCache NewCache() => new(_ =>
    {
        var call = new TaskCompletionSource<TopicDescription>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_calls)
        {
            _calls.Add(call);
        }

        return call.Task;
    }, MaxAge, _time);

    [Fact]
    public async Task A_thousand_waiters_asking_at_once_share_one_lookup()
    {
        var cache = NewCache();

        var waiters = Enumerable.Range(0, 1000).Select(_ => cache.FetchAsync("t", HalfSecond).AsTask()).ToList();
        Assert.Single(_calls);
        _calls[0].SetResult(Topic(epoch: 3));

        var answers = await Task.WhenAll(waiters);
        Assert.All(answers, answer => Assert.Equal(3, answer!.Partitions[0].LeaderEpoch));
        Assert.Single(_calls);
    }

    [Fact]
    public async Task An_answer_younger_than_asked_is_served_without_a_call_and_an_older_one_is_asked_again()
    {
        var cache = NewCache();
        var first = cache.FetchAsync("t", HalfSecond).AsTask();
        _calls[0].SetResult(Topic(epoch: 1));
        await first;

        _time.Advance(TimeSpan.FromMilliseconds(400));
        Assert.Equal(1, (await cache.FetchAsync("t", HalfSecond))!.Partitions[0].LeaderEpoch);
        Assert.Single(_calls);

        _time.Advance(TimeSpan.FromMilliseconds(200));
        var again = cache.FetchAsync("t", HalfSecond).AsTask();
        Assert.Equal(2, _calls.Count);
        _calls[1].SetResult(Topic(epoch: 2));
        Assert.Equal(2, (await again)!.Partitions[0].LeaderEpoch);
        Assert.Equal(2, cache.TryGetCached("t")!.Partitions[0].LeaderEpoch);
    }

    [Fact]
    public async Task A_lookup_hanging_longer_than_asked_is_not_joined_and_its_late_answer_does_not_replace_a_newer_one()
    {
        var cache = NewCache();
        var hanging = cache.FetchAsync("t", HalfSecond).AsTask();

        // The first lookup went to a topic grain on a silo that died: a later waiter asks again.
        _time.Advance(TimeSpan.FromSeconds(1));
        var later = cache.FetchAsync("t", HalfSecond).AsTask();
        Assert.Equal(2, _calls.Count);
        _calls[1].SetResult(Topic(epoch: 5));
        Assert.Equal(5, (await later)!.Partitions[0].LeaderEpoch);

        _calls[0].SetResult(Topic(epoch: 4));
        Assert.Equal(4, (await hanging)!.Partitions[0].LeaderEpoch);
        Assert.Equal(5, cache.TryGetCached("t")!.Partitions[0].LeaderEpoch);
    }

    [Fact]
    public async Task A_failed_lookup_answers_null_and_the_next_caller_asks_again()
    {
        var cache = NewCache();
        var failed = cache.FetchAsync("t", HalfSecond).AsTask();
        _calls[0].SetException(new TimeoutException("no answer"));
        Assert.Null(await failed);

        var retried = cache.FetchAsync("t", HalfSecond).AsTask();
        Assert.Equal(2, _calls.Count);
        _calls[1].SetResult(Topic(epoch: 1));
        Assert.NotNull(await retried);
    }

    [Fact]
    public async Task Get_serves_the_cache_until_max_age_and_shares_a_lookup_with_fetch()
    {
        var cache = NewCache();
        var fetch = cache.FetchAsync("t", HalfSecond).AsTask();
        var get = cache.GetAsync("t").AsTask();
        Assert.Single(_calls);
        _calls[0].SetResult(Topic(epoch: 1));
        Assert.Same(await fetch, await get);

        _time.Advance(MaxAge - TimeSpan.FromSeconds(1));
        await cache.GetAsync("t");
        Assert.Single(_calls);

        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Null(cache.TryGetCached("t"));
        var refreshed = cache.GetAsync("t").AsTask();
        Assert.Equal(2, _calls.Count);
        _calls[1].SetResult(Topic(epoch: 2));
        Assert.Equal(2, (await refreshed).Partitions[0].LeaderEpoch);
    }

    private static TopicDescription Topic(int epoch) => new(
        "t",
        Guid.Empty,
        1,
        ImmutableSortedDictionary<string, string>.Empty,
        DateTimeOffset.UnixEpoch,
        1,
        [new PartitionLeadership(0, [0], 0, epoch, [0])]);
}
