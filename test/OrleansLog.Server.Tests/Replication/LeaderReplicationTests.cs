using System.Collections.Immutable;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using OrleansLog.Metadata;
using OrleansLog.Partitions;
using OrleansLog.Replication;
using OrleansLog.Server.Diagnostics;
using OrleansLog.Server.Hosting;
using OrleansLog.Server.Partitions;
using OrleansLog.Server.Replication;
using OrleansLog.Storage;
using OrleansLog.Testing;

namespace OrleansLog.Server.Tests.Replication;

/// <summary>
/// The leader's replication without a silo: real logs for the leader and each follower, followers that
/// answer as the follower grain would (or are held, or refuse), and a host that records what the term
/// asked of the coordinator. Every test body runs on one exclusive scheduler, as a grain's turns do.
/// </summary>
public sealed class LeaderReplicationTests : IDisposable
{
    private const int Leader = 1;
    private static readonly TopicPartition Id = new("orders", 0);

    private readonly TempDirectory _temp = new();
    private readonly FakeTimeProvider _time = new();
    private readonly ReplicationOptions _options = new() { ReplicaLagTimeMax = TimeSpan.FromSeconds(10), ReplicaCallTimeout = TimeSpan.FromMinutes(5) };
    private readonly FakeLeaderHost _host = new(Id, Leader);
    private readonly PartitionLog _log;
    private readonly LogManager _logs;
    private readonly BrokerMetrics _metrics;

    public LeaderReplicationTests()
    {
        _log = PartitionLog.Open(_temp.Sub("leader"), new LogConfig());
        _logs = new LogManager(Options.Create(new OrleansLogOptions { LogDirectoryOverride = _temp.Sub("manager") }), NullLogger<LogManager>.Instance);
        _metrics = new BrokerMetrics(new TestMeterFactory(), _logs);
        foreach (var broker in new[] { 2, 3 })
        {
            _host.Followers[broker] = new FakeFollower(PartitionLog.Open(_temp.Sub($"follower-{broker}"), new LogConfig()));
        }
    }

    [Fact]
    public void A_leader_without_fresher_knowledge_starts_from_the_checkpointed_high_watermark()
    {
        // A whole-cluster restart: the log holds five records, three of them committed and checkpointed,
        // and this broker's replica state is new. The term starts at 3, not at the log start.
        _log.Append(Batches.Of("a", "b", "c", "d", "e"), leaderEpoch: 0);
        _log.CheckpointHighWatermark(3);
        var leadership = new PartitionLeadership(Id.Partition, [1, 2, 3], Leader, 1, [1, 2, 3]);

        var term = new LeaderReplication(Id, Leader, leadership, _log, new LocalReplica(), _host, _options, _time, _metrics, NullLogger.Instance);

        Assert.Equal(3, term.HighWatermark.Value);
        term.Stop();
    }

    [Fact]
    public Task The_high_watermark_is_the_least_log_end_over_the_isr() => OnGrainScheduler(async () =>
    {
        var term = Start(isr: [1, 2, 3]);
        var first = await Append(term, "a", "b");
        await Wait.Until(() => term.HighWatermark.Value == first, "both followers hold the first batch");

        _host.Followers[3].Hold();
        var second = await Append(term, "c");
        await Wait.Until(() => term.Links[2].LogEndOffset == second, "follower 2 holds the second batch");
        Assert.Equal(first, term.HighWatermark.Value);

        _host.Followers[3].Release();
        await Wait.Until(() => term.HighWatermark.Value == second, "the held follower catches up");
        term.Stop();
    });

    [Fact]
    public Task Acks_all_waits_for_every_in_sync_replica_and_fails_when_the_term_ends() => OnGrainScheduler(async () =>
    {
        var term = Start(isr: [1, 2, 3]);
        _host.Followers[3].Hold();
        var end = await Append(term, "a");

        var waiting = term.WaitForReplicas(end, minInsyncReplicas: 2, TimeSpan.FromMinutes(1));
        await Wait.Until(() => term.Links[2].LogEndOffset == end, "follower 2 holds the batch");
        Assert.False(waiting.IsCompleted);

        term.Stop();
        var failure = await waiting;
        Assert.Equal(ErrorCode.NotLeaderOrFollower, failure?.Code);
    });

    [Fact]
    public Task A_follower_that_refuses_the_epoch_ends_the_term() => OnGrainScheduler(async () =>
    {
        _host.Followers[2].Refusal = ErrorCode.FencedLeaderEpoch;
        var term = Start(isr: [1, 2, 3]);

        await Wait.Until(() => _host.StepDowns.Count > 0, "the leader steps down");
        Assert.Contains("broker 2 refused the epoch", _host.StepDowns[0], StringComparison.Ordinal);
        term.Stop();
    });

    /// <summary>
    /// A follower that keeps failing (its broker is down) is tried again <see cref="LeaderReplication.QuickRetries"/> times
    /// on the backoff, then not again until the cluster's membership changes (or replica.lag.time.max.ms passes): twenty
    /// thousand links polling a stopped broker every two seconds flooded the cluster.
    /// </summary>
    [Fact]
    public Task A_follower_that_keeps_failing_is_tried_again_when_the_membership_changes_not_on_its_backoff() => OnGrainScheduler(async () =>
    {
        var down = _host.Followers[3];
        down.Unreachable = true;
        var term = Start(isr: [1, 2]);
        await Wait.Until(() => down.Reconciles > LeaderReplication.QuickRetries || Advanced(_options.RetryBackoff), "the first call and the quick retries");

        // Well past the longest backoff, short of replica.lag.time.max.ms: no more calls.
        for (var i = 0; i < 4; i++)
        {
            _time.Advance(_options.RetryBackoffMax);
            await Task.Yield();
        }

        Assert.Equal(1 + LeaderReplication.QuickRetries, down.Reconciles);

        // Its broker is back: the membership changed, and the link tries again (after a random part of a backoff).
        down.Unreachable = false;
        _host.MembershipChanges.Changed();
        await Wait.Until(() => term.Links[3].LogEndOffset >= 0 || Advanced(_options.RetryBackoff), "the follower is reconciled");
        Assert.Equal(2 + LeaderReplication.QuickRetries, down.Reconciles);
        term.Stop();
    });

    [Fact]
    public Task A_follower_that_lags_past_the_maximum_leaves_the_isr_and_the_high_watermark_moves_on() => OnGrainScheduler(async () =>
    {
        var term = Start(isr: [1, 2, 3]);
        _host.Followers[3].Hold();
        var end = await Append(term, "a");
        await Wait.Until(() => term.Links[2].LogEndOffset == end, "follower 2 holds the batch");

        _time.Advance(_options.ReplicaLagTimeMax + TimeSpan.FromSeconds(1));
        await term.CheckIsr();

        Assert.Equal([1, 2], _host.IsrChanges.Single().ToArray());
        Assert.Equal([1, 2], term.Leadership.Isr.ToArray());
        Assert.Equal(end, term.HighWatermark.Value);
        term.Stop();
    });

    [Fact]
    public Task A_follower_outside_the_isr_rejoins_only_once_it_holds_the_current_epoch() => OnGrainScheduler(async () =>
    {
        // Written in an earlier epoch: this term starts at offset 2, which a rejoining follower must hold.
        await _log.AppendAsync(Batches.Of("a", "b"), leaderEpoch: 0);
        var term = Start(isr: [1, 2]);
        Assert.Equal(2, term.EpochStartOffset);

        await Wait.Until(() => _host.IsrChanges.Count > 0, "the leader asks to expand the ISR");
        Assert.Equal([1, 2, 3], _host.IsrChanges[0].ToArray());
        Assert.True(_host.FollowerEndsAtIsrChange[0] >= term.EpochStartOffset, "follower 3 rejoined before it held the current epoch's start");
        await Wait.Until(() => term.Leadership.Isr.Length == 3 && term.HighWatermark.Value == 2, "the coordinator's answer is applied and the high watermark covers the log");
        term.Stop();
    });

    [Fact]
    public Task While_the_coordinator_has_not_answered_an_isr_expansion_the_high_watermark_waits_for_the_new_member() => OnGrainScheduler(async () =>
    {
        // The coordinator may already count follower 3 in the ISR (and elect it if this leader dies right now),
        // so nothing beyond follower 3's log end may be acknowledged until the answer arrives.
        var answer = new TaskCompletionSource<PartitionLeadership>(TaskCreationOptions.RunContinuationsAsynchronously);
        _host.PendingAlterIsr = answer;
        var term = Start(isr: [1, 2]);
        var first = await Append(term, "a", "b");
        await Wait.Until(() => _host.IsrChanges.Count > 0, "the leader asks to take follower 3 back");
        // Follower 3, outside the ISR, is asked again after each retry backoff.
        await Wait.Until(() => (term.Links[3].LogEndOffset == first && term.Links[2].LogEndOffset == first) || Advanced(_options.RetryBackoff), "both followers hold the first batch");
        term.UpdateHighWatermark();
        Assert.Equal(first, term.HighWatermark.Value);

        _host.Followers[3].Hold();
        var second = await Append(term, "c");
        await Wait.Until(() => term.Links[2].LogEndOffset == second, "follower 2 holds the second batch");
        term.UpdateHighWatermark();
        Assert.Equal(first, term.HighWatermark.Value);

        // Refused (say, the coordinator saw the ISR change meanwhile): follower 3 no longer holds the high watermark back.
        answer.SetResult(new PartitionLeadership(Id.Partition, [1, 2, 3], Leader, term.Epoch, [1, 2]));
        await Wait.Until(() => term.HighWatermark.Value == second, "the high watermark follows the confirmed ISR");
        _host.Followers[3].Release();
        term.Stop();
    });

    [Fact]
    public Task An_isr_expansion_whose_answer_was_lost_is_settled_by_the_next_isr_check() => OnGrainScheduler(async () =>
    {
        // The follower being added dies as the coordinator's answer is lost (a controlled shutdown of its broker, in a
        // real-process test): no push to it succeeds again, so nothing but the ISR check may settle the expansion.
        var lost = new TaskCompletionSource<PartitionLeadership>(TaskCreationOptions.RunContinuationsAsynchronously);
        _host.PendingAlterIsr = lost;
        var term = Start(isr: [1, 2]);
        await Wait.Until(() => _host.IsrChanges.Count > 0, "the leader asks to take follower 3 back");
        _host.Followers[3].Hold();
        lost.SetException(new TimeoutException("the coordinator's silo went away"));
        await Wait.Until(() => !term.IsrChangePending, "the expansion failed with an unknown outcome");

        var end = await Append(term, "a", "b");
        await Wait.Until(() => term.Links[2].LogEndOffset == end, "follower 2 holds the records");
        term.UpdateHighWatermark();
        Assert.Equal(0, term.HighWatermark.Value);

        // The coordinator did not take follower 3: the next ISR check asks it, and its view frees the high watermark.
        _host.OnPull = () => term.Update(new PartitionLeadership(Id.Partition, [1, 2, 3], Leader, term.Epoch, [1, 2]));
        await term.CheckIsr();

        Assert.Equal(1, _host.Pulls);
        Assert.Equal(end, term.HighWatermark.Value);
        _host.Followers[3].Release();
        term.Stop();
    });

    [Fact]
    public Task A_late_answer_to_an_ended_term_does_not_depose_the_broker() => OnGrainScheduler(async () =>
    {
        var answer = new TaskCompletionSource<PartitionLeadership>(TaskCreationOptions.RunContinuationsAsynchronously);
        _host.PendingAlterIsr = answer;
        var term = Start(isr: [1, 2]);
        await Wait.Until(() => _host.IsrChanges.Count > 0, "the leader asks to expand the ISR");

        term.Stop();
        answer.SetResult(new PartitionLeadership(Id.Partition, [1, 2, 3], Leader, term.Epoch + 1, [1, 2, 3]));
        await Wait.Until(() => !term.IsrChangePending, "the ended term takes the coordinator's answer");

        Assert.Empty(_host.StepDowns);
    });

    public void Dispose()
    {
        foreach (var follower in _host.Followers.Values)
        {
            follower.Log.Dispose();
        }

        _log.Dispose();
        _metrics.Dispose();
        _logs.Dispose();
        _temp.Dispose();
    }

    private LeaderReplication Start(ImmutableArray<int> isr)
    {
        var leadership = new PartitionLeadership(Id.Partition, [1, 2, 3], Leader, 1, isr);
        var term = new LeaderReplication(Id, Leader, leadership, _log, new LocalReplica(), _host, _options, _time, _metrics, NullLogger.Instance);
        _host.Epoch = term.Epoch;
        term.Start();
        return term;
    }

    /// <summary>Moves the fake clock on (for a wait's condition); always false.</summary>
    private bool Advanced(TimeSpan by)
    {
        _time.Advance(by);
        return false;
    }

    /// <summary>Appends as the partition grain does (stamp, flush, wake the loops); returns the new log end.</summary>
    private async Task<long> Append(LeaderReplication term, params string[] values)
    {
        var info = await _log.AppendAsync(Batches.Of(values), term.Epoch);
        term.Appended();
        term.UpdateHighWatermark();
        return info.NextOffset;
    }

    private static Task OnGrainScheduler(Func<Task> body) =>
        Task.Factory.StartNew(body, CancellationToken.None, TaskCreationOptions.None, new ConcurrentExclusiveSchedulerPair().ExclusiveScheduler).Unwrap();
}
