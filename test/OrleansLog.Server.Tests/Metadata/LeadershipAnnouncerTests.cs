using System.Collections.Concurrent;
using System.Collections.Immutable;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using OrleansLog.Metadata;
using OrleansLog.Replication;
using OrleansLog.Server.Metadata;
using OrleansLog.Testing;

namespace OrleansLog.Server.Tests.Metadata;

/// <summary>
/// The coordinator's announcements to brokers: one batch out per broker, what comes meanwhile merged into the next with
/// each topic as it is when the batch leaves, retried until answered, dropped for a broker that is gone.
/// </summary>
public class LeadershipAnnouncerTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly ConcurrentQueue<Sent> _sent = new();
    private readonly Dictionary<string, TopicDescription> _topics = [];
    private readonly HashSet<int> _live = [1, 2, 3];

    private LeadershipAnnouncer NewAnnouncer() => new(
        (broker, notices) =>
        {
            var sent = new Sent(broker, notices);
            _sent.Enqueue(sent);
            return sent.Answer.Task;
        },
        () => _live.ToHashSet(),
        name => _topics.GetValueOrDefault(name),
        _time,
        NullLogger.Instance);

    [Fact]
    public async Task Changes_made_while_a_batch_is_out_go_in_the_next_one_merged_and_as_the_topic_is_then()
    {
        var announcer = NewAnnouncer();
        var first = Topic("t", leaderEpoch: 1);
        _topics["t"] = first;

        var heard = announcer.Announce(first, [0], toFollowers: true, wakeLeader: true);
        await Wait.Until(() => _sent.Count == 3, "one batch per replica's broker");
        Assert.Equal([1, 2, 3], _sent.Select(s => s.Broker).Order());

        // While broker 1's batch is out, two more changes come for it; the topic moves on too.
        var second = announcer.Announce(first, [1], toFollowers: false, wakeLeader: false);
        var third = announcer.Announce(first, [2], toFollowers: false, wakeLeader: true);
        var moved = Topic("t", leaderEpoch: 2);
        _topics["t"] = moved;
        Assert.Equal(3, _sent.Count);

        var toBroker1 = _sent.First(s => s.Broker == 1);
        toBroker1.Answer.SetResult();
        await Wait.Until(() => _sent.Count == 4, "the next batch to broker 1");
        var next = _sent.Last();
        Assert.Equal(1, next.Broker);
        var notice = Assert.Single(next.Notices);
        Assert.Same(moved, notice.Topic);
        Assert.Equal([1, 2], notice.Partitions.ToArray());
        Assert.Equal([2], notice.Wake.ToArray());

        // The first announcement is heard once every broker told answered.
        Assert.False(heard.IsCompleted);
        foreach (var sent in _sent.Where(s => s.Broker != 1))
        {
            sent.Answer.SetResult();
        }

        await heard.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(second.IsCompleted);
        next.Answer.SetResult();
        await Task.WhenAll(second, third).WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_batch_the_broker_did_not_take_is_sent_again_after_a_backoff_and_heard_only_then()
    {
        var announcer = NewAnnouncer();
        var topic = Topic("t", leaderEpoch: 1);
        _topics["t"] = topic;

        var heard = announcer.Announce(topic, [0], toFollowers: false, wakeLeader: true);
        await Wait.Until(() => _sent.Count == 1, "the batch to the leader");
        _sent.Single().Answer.SetException(new TimeoutException("no answer"));

        await Wait.Until(() => announcer.Pending == 1 && _sent.Count == 1, "the batch waits for its retry");
        Assert.False(heard.IsCompleted);
        await Wait.Until(() => { _time.Advance(TimeSpan.FromMilliseconds(100)); return _sent.Count == 2; }, "the batch sent again");
        var again = _sent.Last();
        Assert.Equal(1, again.Broker);
        Assert.Equal([0], Assert.Single(again.Notices).Wake.ToArray());

        again.Answer.SetResult();
        await heard.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, announcer.Pending);
    }

    [Fact]
    public async Task A_broker_that_is_no_longer_alive_is_not_asked_again_and_its_waiters_are_released()
    {
        var announcer = NewAnnouncer();
        var topic = Topic("t", leaderEpoch: 1);
        _topics["t"] = topic;

        var heard = announcer.Announce(topic, [0], toFollowers: false, wakeLeader: true);
        await Wait.Until(() => _sent.Count == 1, "the batch to the leader");
        var later = announcer.Announce(topic, [1], toFollowers: false, wakeLeader: true);
        _live.Remove(1);
        _sent.Single().Answer.SetException(new TimeoutException("the broker died"));

        await Wait.Until(() => { _time.Advance(TimeSpan.FromMilliseconds(100)); return later.IsCompleted; }, "the waiting change is dropped");
        await heard.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Single(_sent);
        Assert.Equal(0, announcer.Pending);

        // Nothing is sent to a broker that is not alive, and the answer does not wait for it.
        await announcer.Announce(topic, [2], toFollowers: false, wakeLeader: false).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Single(_sent);
    }

    /// <summary>Three partitions, each led by broker 1 with brokers 1, 2 and 3 in sync.</summary>
    private static TopicDescription Topic(string name, int leaderEpoch) => new(
        name,
        Guid.Parse("6d2c1a3e-0000-0000-0000-000000000001"),
        3,
        ImmutableSortedDictionary<string, string>.Empty,
        DateTimeOffset.UnixEpoch,
        3,
        [.. Enumerable.Range(0, 3).Select(p => new PartitionLeadership(p, [1, 2, 3], 1, leaderEpoch, [1, 2, 3]))]);

    private sealed class Sent(int broker, ImmutableArray<LeadershipNotice> notices)
    {
        public int Broker { get; } = broker;

        public ImmutableArray<LeadershipNotice> Notices { get; } = notices;

        public TaskCompletionSource Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
