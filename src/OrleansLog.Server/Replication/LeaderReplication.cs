using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using OrleansLog.Metadata;
using OrleansLog.Partitions;
using OrleansLog.Replication;
using OrleansLog.Server.Diagnostics;
using OrleansLog.Storage;

namespace OrleansLog.Server.Replication;

/// <summary>
/// One leadership term (one leader epoch) of a partition on this broker, from the replication side: a
/// push loop per follower (one <see cref="ReplicaLink"/> each, one push in flight), the ISR as the leader
/// knows it, shrinking it when a follower lags past <c>replica.lag.time.max.ms</c> and expanding it when
/// one catches up (both through the coordinator), and the <see cref="HighWatermark"/>, kept at the least
/// log end over the ISR (<see cref="IsrRules"/>). A follower that refuses the epoch, or a coordinator that
/// names another leader, ends the term through <see cref="ILeaderReplicationHost.StepDown"/>.
/// <para>
/// Concurrency: not thread-safe. Created, called and stopped only in the hosting grain's turns; the push
/// loops are started from a turn, so their continuations run on the grain's scheduler too, and every state
/// change happens in a synchronous stretch between awaits.
/// </para>
/// </summary>
public sealed partial class LeaderReplication
{
    /// <summary>Retries on the backoff (after a first failure) after which a link waits for the cluster to change instead.</summary>
    public const int QuickRetries = 5;

    private readonly Dictionary<int, ReplicaLink> _links = [];
    private readonly TopicPartition _id;
    private readonly int _localBroker;
    private readonly PartitionLog _log;
    private readonly LocalReplica _replica;
    private readonly ILeaderReplicationHost _host;
    private readonly ReplicationOptions _options;
    private readonly TimeProvider _time;
    private readonly BrokerMetrics _metrics;
    private readonly ILogger _logger;
    private TaskCompletionSource _appended = NewSignal();
    private TaskCompletionSource _leadershipUpdated = NewSignal();
    private bool _isrChangePending;

    /// <summary>
    /// Brokers this leader asked the coordinator to add to the ISR without having heard the outcome. The
    /// coordinator may already count them (and elect one of them if this leader dies), so the high
    /// watermark waits for them too until the answer comes: Kafka's "maximal ISR" (KIP-497).
    /// </summary>
    private ImmutableArray<int> _unconfirmedAdditions = [];
    private bool _stopped;

    /// <summary>
    /// Starts the term at <paramref name="leadership"/>: a leader alone in the ISR owns everything it has;
    /// otherwise the high watermark starts from the one this broker last heard as a follower, and the
    /// followers' answers move it.
    /// </summary>
    public LeaderReplication(
        TopicPartition id,
        int localBroker,
        PartitionLeadership leadership,
        PartitionLog log,
        LocalReplica replica,
        ILeaderReplicationHost host,
        ReplicationOptions options,
        TimeProvider time,
        BrokerMetrics metrics,
        ILogger logger)
    {
        _id = id;
        _localBroker = localBroker;
        _log = log;
        _replica = replica;
        _host = host;
        _options = options;
        _time = time;
        _metrics = metrics;
        _logger = logger;
        Leadership = leadership;
        Epoch = leadership.LeaderEpoch;
        EpochStartOffset = log.LogEndOffset;
        HighWatermark = new HighWatermark(
            leadership.Isr is [var only] && only == localBroker ? LocalEnd : Math.Clamp(Math.Max(replica.HighWatermark, log.CheckpointedHighWatermark), log.LogStartOffset, log.LogEndOffset),
            replica);
        metrics.Leads(id, leadership.Isr.Length, leadership.Replicas.Length);
    }

    public int Epoch { get; }

    /// <summary>Where this term's own epoch begins in the log (its first offset, appended or not).</summary>
    public long EpochStartOffset { get; }

    /// <summary>The leadership as this leader knows it: the coordinator's, with every ISR change it accepted.</summary>
    public PartitionLeadership Leadership { get; private set; }

    public HighWatermark HighWatermark { get; }

    /// <summary>Whether an ISR change is waiting for the coordinator's answer.</summary>
    internal bool IsrChangePending => _isrChangePending;

    /// <summary>The followers' links, by broker (for the ISR rules and tests).</summary>
    public IReadOnlyDictionary<int, ReplicaLink> Links => _links;

    /// <summary>The leader's own contribution to the high watermark: what it may acknowledge (flushed, for topics that flush first).</summary>
    private long LocalEnd => Math.Min(_log.Config.FlushMessages <= 1 ? _log.FlushedOffset : _log.LogEndOffset, _log.LogEndOffset);

    /// <summary>Starts one push loop per follower.</summary>
    public void Start()
    {
        foreach (var follower in Leadership.Followers)
        {
            var link = new ReplicaLink(follower, _time.GetTimestamp());
            _links[follower] = link;
            _ = RunLink(link);
        }
    }

    /// <summary>Ends the term: the loops stop at their next step and every high-watermark waiter wakes.</summary>
    public void Stop()
    {
        _stopped = true;
        foreach (var link in _links.Values)
        {
            link.Stopped = true;
        }

        HighWatermark.Close();
        Appended();
        Signal(ref _leadershipUpdated);
    }

    /// <summary>The log grew: wake the loops of followers that were caught up.</summary>
    public void Appended() => Signal(ref _appended);

    /// <summary>The coordinator's view, when it still names this broker at this epoch.</summary>
    public void Update(PartitionLeadership leadership)
    {
        Leadership = leadership;
        _unconfirmedAdditions = [];
        _metrics.Leads(_id, leadership.Isr.Length, leadership.Replicas.Length);
        UpdateHighWatermark();

        // A follower waiting out its backoff is asked again now: the news may be that its broker returned.
        Signal(ref _leadershipUpdated);
    }

    /// <summary>
    /// Whether every replica is in the ISR, holds the whole log and was sent the high watermark: nothing is left
    /// for the push loops to do, so the leader may go idle.
    /// </summary>
    public bool IsFullyReplicated =>
        Leadership.Isr.Length == Leadership.Replicas.Length && _links.Values.All(l => l.LogEndOffset >= _log.LogEndOffset && l.SentHighWatermark >= HighWatermark.Value);

    /// <summary>Moves the high watermark to what the ISR now supports.</summary>
    public void UpdateHighWatermark()
    {
        if (!_stopped)
        {
            var isr = _unconfirmedAdditions.IsEmpty ? Leadership.Isr : Leadership.Isr.AddRange(_unconfirmedAdditions);
            HighWatermark.AdvanceTo(IsrRules.HighWatermark(HighWatermark.Value, LocalEnd, _localBroker, isr, _links));
        }
    }

    /// <summary>
    /// Waits until every in-sync replica holds the offsets below <paramref name="offset"/>; null when they
    /// do (and the ISR is still at least <paramref name="minInsyncReplicas"/>), otherwise why not.
    /// </summary>
    public async Task<OrleansLogException?> WaitForReplicas(long offset, int minInsyncReplicas, TimeSpan timeout)
    {
        if (HighWatermark.Value < offset && !await HighWatermark.WaitForAsync(offset, Task.Delay(timeout, _time)))
        {
            return HighWatermark.IsClosed
                ? new OrleansLogException(ErrorCode.NotLeaderOrFollower, $"This broker stopped leading {_id} before offset {offset - 1} reached every in-sync replica.")
                : new OrleansLogException(ErrorCode.RequestTimedOut, $"Offset {offset - 1} of {_id} did not reach every in-sync replica ({string.Join(", ", Leadership.Isr)}) within {timeout.TotalMilliseconds} ms.");
        }

        return Leadership.Isr.Length < minInsyncReplicas
            ? new OrleansLogException(ErrorCode.NotEnoughReplicasAfterAppend, $"Offset {offset - 1} of {_id} is written, but the ISR shrank to {Leadership.Isr.Length}, below min.insync.replicas {minInsyncReplicas}.")
            : null;
    }

    /// <summary>
    /// The periodic ISR check (every quarter of <c>replica.lag.time.max.ms</c>): followers that have not held
    /// the whole log for longer than that leave the ISR.
    /// </summary>
    public Task CheckIsr()
    {
        if (_stopped || _isrChangePending)
        {
            return Task.CompletedTask;
        }

        if (!_unconfirmedAdditions.IsEmpty)
        {
            // An expansion whose answer was lost still holds the high watermark back: ask the coordinator what it
            // holds. The follower being added may be gone for good, so no later expansion would settle it.
            return SettleUnconfirmedAdditions();
        }

        var now = _time.GetTimestamp();
        foreach (var link in _links.Values)
        {
            if (link.LogEndOffset >= _log.LogEndOffset)
            {
                link.LastCaughtUp = now;
            }
        }

        var lagging = IsrRules.Lagging(Leadership.Isr, _localBroker, _links, _time, _options.ReplicaLagTimeMax);
        if (lagging.IsEmpty)
        {
            return Task.CompletedTask;
        }

        LogIsrShrinking(_id.DirectoryName, string.Join(",", lagging), _options.ReplicaLagTimeMax.TotalMilliseconds);
        _metrics.IsrShrank(_id.Topic);
        return AlterIsr([.. Leadership.Isr.Except(lagging)]);
    }

    /// <summary>
    /// Keeps one follower in step: reconcile once per epoch (the follower cuts any divergent tail), then
    /// push whatever it lacks, at most <c>MaxPushBytes</c> at a time, or wait for the next append. Any
    /// failure (an unreachable broker, a refused push) means reconcile again after a backoff.
    /// </summary>
    private async Task RunLink(ReplicaLink link)
    {
        var follower = _host.Follower(link.Broker);
        var reconciled = false;
        var backoff = new RetryBackoff(_options.RetryBackoff, _options.RetryBackoffMax);
        while (!link.Stopped)
        {
            try
            {
                ReplicaResponse response;
                var end = _log.LogEndOffset;
                var readAt = _time.GetTimestamp();
                if (!reconciled)
                {
                    using (await _host.EnterReconcile(link.Broker))
                    {
                        if (link.Stopped)
                        {
                            return;
                        }

                        // Read after the wait for a turn, which may have been long.
                        end = _log.LogEndOffset;
                        readAt = _time.GetTimestamp();
                        response = await follower.Reconcile(new ReconcileRequest(Epoch, _localBroker, _log.LeaderEpochs, _log.LogStartOffset, end, HighWatermark.Value, _replica.TopicId))
                            .WaitAsync(_options.ReplicaCallTimeout, _time);
                    }
                }
                else if (link.LogEndOffset >= end && link.SentHighWatermark >= HighWatermark.Value && link.SentLogStartOffset >= _log.LogStartOffset)
                {
                    link.LastCaughtUp = readAt;
                    if (!Leadership.Isr.Contains(link.Broker))
                    {
                        // Outside the ISR yet apparently caught up: an old answer (the follower may have died
                        // and come back, or was refused while it stopped). Ask the follower itself again, after
                        // a pause; its answer is what takes it back into the ISR.
                        reconciled = false;
                        await Task.Delay(_options.RetryBackoff, _time);
                        continue;
                    }

                    await _appended.Task.WaitAsync(TimeSpan.FromSeconds(1), _time).ConfigureAwait(ConfigureAwaitOptions.ContinueOnCapturedContext | ConfigureAwaitOptions.SuppressThrowing);
                    continue;
                }
                else
                {
                    // The push carries the pooled read buffer itself (no copy). It goes back to the pool only
                    // once the follower has answered, when the request has certainly been serialized; a call
                    // that fails leaves the buffer to the garbage collector.
                    var read = link.LogEndOffset < end ? _log.Read(link.LogEndOffset, _options.MaxPushBytes) : null;
                    var push = new ReplicateRequest(Epoch, read?.Records ?? ReadOnlyMemory<byte>.Empty, HighWatermark.Value, _log.LogStartOffset, _replica.TopicId);
                    response = await follower.Replicate(push).WaitAsync(_options.ReplicaCallTimeout, _time);
                    read?.Dispose();
                    if (response.Error == ErrorCode.None)
                    {
                        link.SentHighWatermark = push.HighWatermark;
                        link.SentLogStartOffset = push.LogStartOffset;
                    }
                }

                if (link.Stopped)
                {
                    return;
                }

                if (response.Error != ErrorCode.None)
                {
                    if (response.Error == ErrorCode.FencedLeaderEpoch)
                    {
                        StepDown($"broker {link.Broker} refused the epoch: {response.ErrorMessage}");
                        return;
                    }

                    LogFollowerRefused(_id.DirectoryName, link.Broker, response.Error, response.ErrorMessage);
                    reconciled = false;
                    await WaitToRetry(backoff);
                    continue;
                }

                backoff.Succeeded();
                reconciled = true;
                link.LogEndOffset = response.LogEndOffset;
                if (response.LogEndOffset >= end)
                {
                    link.LastCaughtUp = readAt;
                }

                UpdateHighWatermark();
                MaybeExpandIsr(link);
            }
            catch (Exception e)
            {
                if (link.Stopped)
                {
                    return;
                }

                // Unreachable (its broker is down) or our own read fell below the log start: start over.
                if (backoff.Failures == 0)
                {
                    LogFollowerUnreachable(_id.DirectoryName, link.Broker, e.Message);
                }

                reconciled = false;
                link.LogEndOffset = -1;
                if (Leadership.Isr.Contains(link.Broker))
                {
                    // Most often a dead broker that the coordinator has already taken out of the ISR, but its
                    // refresh may not reach this activation (one that Orleans is deactivating queues it), and
                    // acks=all produces would wait for the dead replica until they time out. Self-limiting:
                    // once the follower is out of the ISR this is not asked again.
                    await _host.PullLeadership();
                }

                if (backoff.Failures >= QuickRetries)
                {
                    await WaitForClusterChange(link);
                    backoff.Succeeded();
                    continue;
                }

                await WaitToRetry(backoff);
            }
        }
    }

    /// <summary>
    /// A follower that failed its first call and <see cref="QuickRetries"/> retries (about five seconds of backoff) is most likely
    /// on a broker that is down: its link waits for the cluster's membership or this partition's leadership to
    /// change, at most <c>replica.lag.time.max.ms</c>, then a random part of the longest backoff, so that the
    /// thousands of links waiting on one broker do not all call it in the same instant when it comes back.
    /// </summary>
    private async Task WaitForClusterChange(ReplicaLink link)
    {
        Task changed = Task.WhenAny(_host.NextMembershipChange, _leadershipUpdated.Task);
        await changed.WaitAsync(_options.ReplicaLagTimeMax, _time).ConfigureAwait(ConfigureAwaitOptions.ContinueOnCapturedContext | ConfigureAwaitOptions.SuppressThrowing);
        if (!link.Stopped)
        {
            await Task.Delay(_options.RetryBackoffMax * Random.Shared.NextDouble(), _time);
        }
    }

    /// <summary>Waits out the backoff after a failure, or less when the coordinator's view of this partition changes or the term ends.</summary>
    private async Task WaitToRetry(RetryBackoff backoff) =>
        await _leadershipUpdated.Task.WaitAsync(backoff.Failed(), _time).ConfigureAwait(ConfigureAwaitOptions.ContinueOnCapturedContext | ConfigureAwaitOptions.SuppressThrowing);

    private void MaybeExpandIsr(ReplicaLink link)
    {
        if (!_isrChangePending && !Leadership.Isr.Contains(link.Broker) && IsrRules.CanRejoin(link, HighWatermark.Value, EpochStartOffset))
        {
            LogIsrExpanding(_id.DirectoryName, link.Broker, link.LogEndOffset);
            _metrics.IsrExpanded(_id.Topic);
            _ = AlterIsr(Leadership.Isr.Add(link.Broker));
        }
    }

    private async Task AlterIsr(ImmutableArray<int> isr)
    {
        _isrChangePending = true;

        // Kept after a failure whose outcome is unknown (a timeout): only the coordinator's answer clears it.
        _unconfirmedAdditions = [.. _unconfirmedAdditions.Union(isr.Except(Leadership.Isr))];
        try
        {
            // Bounded: an answer lost with a coordinator's silo must not leave the change pending for ever,
            // which would block every later ISR change of this partition.
            var result = await _host.AlterIsr(Epoch, Leadership.PartitionEpoch, isr).WaitAsync(_options.ReplicaCallTimeout, _time);
            if (result.Leader != _localBroker || result.LeaderEpoch != Epoch)
            {
                StepDown($"the coordinator answered with leader {result.Leader} at epoch {result.LeaderEpoch}");
                return;
            }

            if (!_stopped)
            {
                Update(result);
            }
        }
        catch (OrleansLogException e) when (e.Code == ErrorCode.FencedLeaderEpoch)
        {
            StepDown(e.Message);
        }
        catch (OrleansLogException e) when (e.Code == ErrorCode.InvalidUpdateVersion)
        {
            // The coordinator changed the partition since this term last heard: take its state, decide again.
            LogIsrChangeStale(_id.DirectoryName, e.Message);
            await _host.PullLeadership();
        }
        catch (Exception e)
        {
            LogIsrChangeFailed(e, _id.DirectoryName);
        }
        finally
        {
            _isrChangePending = false;
        }
    }

    /// <summary>Reads the coordinator's view of this partition; its answer (<see cref="Update"/>) replaces the unconfirmed additions.</summary>
    private async Task SettleUnconfirmedAdditions()
    {
        _isrChangePending = true;
        try
        {
            LogSettlingAdditions(_id.DirectoryName, _unconfirmedAdditions);
            await _host.PullLeadership();
        }
        finally
        {
            _isrChangePending = false;
        }
    }

    /// <summary>Ends leadership through the host, unless this term already ended (a late answer must not depose a newer term).</summary>
    private void StepDown(string reason)
    {
        if (!_stopped)
        {
            _host.StepDown(reason);
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Wakes everything waiting on <paramref name="signal"/> and arms a new one for the next wait.</summary>
    private static void Signal(ref TaskCompletionSource signal)
    {
        var fired = signal;
        signal = NewSignal();
        fired.TrySetResult();
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Partition}: follower {Broker} refused a push ({Error}: {Message}); reconciling again.")]
    private partial void LogFollowerRefused(string partition, int broker, ErrorCode error, string? message);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Partition}: follower {Broker} unreachable ({Message}); retrying.")]
    private partial void LogFollowerUnreachable(string partition, int broker, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Partition}: removing lagging follower(s) {Brokers} from the ISR (behind for over {LagMs} ms).")]
    private partial void LogIsrShrinking(string partition, string brokers, double lagMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Partition}: follower {Broker} caught up (log end {LogEndOffset}); adding it back to the ISR.")]
    private partial void LogIsrExpanding(string partition, int broker, long logEndOffset);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Partition}: the answer to adding {Brokers} to the ISR was lost; asking the coordinator what it holds.")]
    private partial void LogSettlingAdditions(string partition, ImmutableArray<int> brokers);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Partition}: the coordinator did not take the ISR change; trying again later.")]
    private partial void LogIsrChangeFailed(Exception error, string partition);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Partition}: the ISR change was computed from an older partition state ({Reason}); refreshing and deciding again.")]
    private partial void LogIsrChangeStale(string partition, string reason);
}
