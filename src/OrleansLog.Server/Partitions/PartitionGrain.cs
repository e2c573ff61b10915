using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using OrleansLog.Metadata;
using OrleansLog.Partitions;
using OrleansLog.Records;
using OrleansLog.Replication;
using OrleansLog.Server.Brokers;
using OrleansLog.Server.Diagnostics;
using OrleansLog.Server.Placement;
using OrleansLog.Server.Producers;
using OrleansLog.Server.Replication;
using OrleansLog.Server.Schemas;
using OrleansLog.Server.Transactions;
using OrleansLog.Storage;
using OrleansLog.Storage.Epochs;

namespace OrleansLog.Server.Partitions;

/// <summary>
/// The leader of one partition (see <see cref="IPartitionGrain"/>), placed on the leader broker's silo,
/// over a log from that silo's <see cref="LogManager"/>: a thin shell that finds out whether this broker
/// leads and at which epoch, and hands the work to plain classes of the current leadership term: produces
/// to its <see cref="LeaderAppender"/>, replication (push loops, ISR, high watermark) to its
/// <see cref="LeaderReplication"/>, fetches to <see cref="LongPollFetch"/>. An activation that finds it does
/// not lead (placement raced an election, a follower refused its epoch, or a caller's stale directory cache sent
/// the call here) answers NOT_LEADER_OR_FOLLOWER and moves to the leader's silo, so the next call is served there.
/// <para>
/// Concurrency: reentrant, so produces interleave while they wait for a flush or for the followers,
/// long-polling fetches never hold up appends, and the follower loops run beside both. That is safe
/// because every state change (append, producer state, high watermark, ISR) happens in a synchronous
/// stretch of one turn.
/// </para>
/// </summary>
[Reentrant]
[LeaderPlacement]
public sealed partial class PartitionGrain(
    LogManager logs,
    LocalReplicas replicas,
    IOptions<BrokerOptions> broker,
    IOptions<ReplicationOptions> replication,
    IOptions<FetchOptions> fetch,
    SchemaIdGate schemas,
    IProducerIdAuthority producerIds,
    ITransactionVerifier transactions,
    BrokerLease lease,
    IOptions<ProducerStateOptions> producerOptions,
    TimeProvider time,
    BrokerMetrics metrics,
    IsrChangeBatcher isrChanges,
    MembershipChangeSignal membershipChanges,
    ActivePartitions active,
    ReconcileGate reconciles,
    ILogger<PartitionGrain> logger) : Grain, IPartitionGrain, ILeaderReplicationHost
{
    private TopicPartition _id;
    private LocalReplica _replica = null!;
    private TopicDescription? _topic;
    private PartitionLeadership? _leadership;
    private PartitionLog? _log;
    private LeaderReplication? _term;
    private LeaderAppender? _appender;
    private bool _deposed;
    private IGrainTimer? _isrTimer;

    private int LocalBroker => broker.Value.Id;

    /// <summary>Leadership is read from the coordinator itself, never from a cache: a new leader must not start from a stale view.</summary>
    private IMetadataGrain Coordinator => GrainFactory.GetGrain<IMetadataGrain>(IMetadataGrain.ClusterKey);

    /// <summary>The current term; only read after <see cref="RequireLeader"/> said this activation leads.</summary>
    private LeaderReplication Term => _term!;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _id = TopicPartition.ParseGrainKey(this.GetPrimaryKeyString());

        // Listed before the coordinator is asked: a change it saves meanwhile must reach this activation.
        active.Activated(_id);
        try
        {
            Attach(await Coordinator.TryGetTopic(_id.Topic));
        }
        catch
        {
            active.Deactivated(_id);
            throw;
        }
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (Leads && _term!.Links.Count > 0)
        {
            LogLeaderDeactivated(_id.DirectoryName, reason.ReasonCode, reason.Description);
        }

        // The producer state snapshot is written by the log's close, off this thread (LogCloser).
        var appender = _appender;
        EndTerm(snapshot: false);
        metrics.StoppedLeading(_id);
        HoldLog(null, appender is null ? null : appender.Snapshot);
        active.Deactivated(_id);
        return Task.CompletedTask;
    }

    public async Task<ProduceResponse> Produce(ProduceRequest request)
    {
        var started = time.GetTimestamp();
        ProduceResponse response;
        try
        {
            response = await ProduceCore(request);
        }
        finally
        {
            // The batches are in the log (the appender handed their pooled array back then) or were refused: it goes back now (see BatchBytes).
            request.Records.Dispose();
        }

        metrics.Produced(_id.Topic, response.Error, request.Records.Length, time.GetElapsedTime(started));
        return response;
    }

    private async Task<ProduceResponse> ProduceCore(ProduceRequest request)
    {
        if (!Acks.IsValid(request.Acks))
        {
            return ProduceResponse.Failed(new OrleansLogException(ErrorCode.InvalidRequiredAcks, $"acks={request.Acks} is invalid: use 0, 1 or -1 (all)."));
        }

        if (await RequireLeader() is { } refusal)
        {
            return ProduceResponse.Failed(refusal);
        }

        if (SchemaIdGate.Applies(_topic!.Config))
        {
            if (await schemas.CheckAsync(_id.Topic, _topic.Config, request.Records) is { } refused)
            {
                return refused;
            }

            // The registry was asked: the term may have ended meanwhile.
            if (await RequireLeader() is { } lost)
            {
                return ProduceResponse.Failed(lost);
            }
        }

        return await _appender!.AppendAsync(request, _topic!.Config);
    }

    public async Task<FetchResponse> Fetch(FetchRequest request, CancellationToken stopWaiting = default)
    {
        var started = time.GetTimestamp();
        var response = await FetchCore(request, stopWaiting);
        metrics.Fetched(_id.Topic, response.Error, response.Records.Length, time.GetElapsedTime(started));
        return response;
    }

    private async Task<FetchResponse> FetchCore(FetchRequest request, CancellationToken stopWaiting)
    {
        if (await RequireLeader() is { } refusal)
        {
            return LongPollFetch.Failed(refusal, -1, -1);
        }

        // A term that ends while the fetch waits: deposed or deactivating (ask the leader again), or deleted.
        var appender = _appender!;
        return await LongPollFetch.ServeAsync(_log!, Term.HighWatermark, () => appender.LastStableOffset, request, fetch.Value.FetchMaxBytes, time, () => _log is null ? UnknownPartition() : NotLeader(), stopWaiting);
    }

    public async Task<long> ListOffset(long timestamp, IsolationLevel isolation = IsolationLevel.ReadUncommitted)
    {
        if (await RequireLeader() is { } refusal)
        {
            throw refusal;
        }

        // read_committed readers see the log up to the last stable offset, as their fetches do.
        var log = _log!;
        var highWatermark = isolation == IsolationLevel.ReadCommitted ? _appender!.LastStableOffset : Term.HighWatermark.Value;
        return timestamp switch
        {
            ListOffsetsSpec.Earliest => log.LogStartOffset,
            ListOffsetsSpec.Latest => highWatermark,
            < 0 => throw new OrleansLogException(ErrorCode.InvalidRequest, $"Timestamp {timestamp} is not a time, -1 (latest) or -2 (earliest)."),
            _ => log.OffsetForTimestamp(timestamp) is { } offset && offset < highWatermark ? offset : -1,
        };
    }

    public async Task<LeaderEpochEndOffset> OffsetForLeaderEpoch(int currentLeaderEpoch, int leaderEpoch)
    {
        if (await RequireLeader() is { } refusal)
        {
            return new LeaderEpochEndOffset(refusal.Code, -1, -1);
        }

        var term = Term;
        if (currentLeaderEpoch >= 0 && currentLeaderEpoch != term.Epoch)
        {
            return new LeaderEpochEndOffset(currentLeaderEpoch < term.Epoch ? ErrorCode.FencedLeaderEpoch : ErrorCode.UnknownLeaderEpoch, -1, -1);
        }

        // This leader's own epoch begins at its start offset even before it appended anything in it.
        var log = _log!;
        var epochs = log.LeaderEpochs;
        if (epochs.IsDefaultOrEmpty || epochs[^1].Epoch < term.Epoch)
        {
            var own = new EpochEntry(term.Epoch, term.EpochStartOffset);
            epochs = epochs.IsDefault ? [own] : epochs.Add(own);
        }

        var end = EpochEndOffset.For(epochs, leaderEpoch, log.LogEndOffset);
        return new LeaderEpochEndOffset(ErrorCode.None, end.LeaderEpoch, end.EndOffset);
    }

    public async Task<PartitionState> GetState()
    {
        if (await RequireLeader() is { } refusal)
        {
            throw refusal;
        }

        var log = _log!;
        return new PartitionState(_id.Partition, log.LogStartOffset, log.LogEndOffset, Term.HighWatermark.Value, log.SizeInBytes, log.SegmentCount, DirtyRatio(log));
    }

    /// <summary>A compacted log's dirty ratio for describe; -1 when the topic is not compacted or the log is offline (its positions are still shown).</summary>
    private double DirtyRatio(PartitionLog log)
    {
        try
        {
            return log.Config.Compact ? log.InspectCleanable(Term.HighWatermark.Value).DirtyRatio : -1;
        }
        catch (OrleansLogException)
        {
            return -1;
        }
    }

    public async Task<ErrorCode> WriteTxnMarker(TransactionMarkerRequest request)
    {
        if (await RequireLeader() is { } refusal)
        {
            return refusal.Code;
        }

        return await _appender!.WriteMarkerAsync(request, _topic!.Config);
    }

    public Task RunRetention()
    {
        if (_log is { } log && !_deposed)
        {
            var result = log.ApplyRetention();
            if (result.DeletedSegments > 0)
            {
                LogRetention(_id.DirectoryName, result.DeletedSegments, result.DeletedBytes, result.LogStartOffset);
            }
        }

        return Task.CompletedTask;
    }

    public Task<bool> Refresh(TopicDescription topic)
    {
        if (_log is null || _topic?.TopicId != topic.TopicId)
        {
            if (!_deposed)
            {
                Attach(topic);
            }

            if (!Leads && _leadership is not null)
            {
                // Reached through a stale address on a silo that does not lead: move to the leader's silo.
                LeaveForLeader();
            }

            return Task.FromResult(Leads);
        }

        var leadership = LeadershipOf(topic);
        if (leadership is null || leadership.Leader != LocalBroker || leadership.LeaderEpoch != _term?.Epoch)
        {
            StepDown($"the coordinator moved leadership to broker {leadership?.Leader} at epoch {leadership?.LeaderEpoch}");
            return Task.FromResult(false);
        }

        _topic = topic;
        _leadership = leadership;
        _log.UpdateConfig(topic.Config.ToLogConfig());
        _term?.Update(leadership);
        return Task.FromResult(true);
    }

    public Task Delete()
    {
        // No producer snapshot for a log about to be deleted.
        _appender = null;
        EndTerm();
        _log = null;
        _topic = null;
        logs.Delete(_id);
        replicas.Forget(_id);
        metrics.StoppedLeading(_id);
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    IFollowerGrain ILeaderReplicationHost.Follower(int broker) => GrainFactory.GetGrain<IFollowerGrain>(IFollowerGrain.Key(_id, broker));

    Task ILeaderReplicationHost.NextMembershipChange => membershipChanges.Next;

    Task<IDisposable> ILeaderReplicationHost.EnterReconcile(int broker) => reconciles.EnterAsync(broker);

    Task<PartitionLeadership> ILeaderReplicationHost.AlterIsr(int leaderEpoch, int partitionEpoch, ImmutableArray<int> isr) =>
        isrChanges.AlterIsr(_id.Topic, _id.Partition, leaderEpoch, partitionEpoch, isr);

    /// <summary>Reads this partition's leadership from the coordinator, as its Refresh would have brought it.</summary>
    async Task ILeaderReplicationHost.PullLeadership()
    {
        try
        {
            if (await Coordinator.TryGetTopic(_id.Topic).WaitAsync(replication.Value.ReplicaCallTimeout, time) is { } topic)
            {
                await Refresh(topic);
            }
        }
        catch (Exception e)
        {
            LogCoordinatorUnreachable(_id.DirectoryName, e.Message);
        }
    }

    void ILeaderReplicationHost.StepDown(string reason) => StepDown(reason);

    private void StepDown(string reason)
    {
        if (_deposed)
        {
            return;
        }

        _deposed = true;
        LogSteppedDown(_id.DirectoryName, LocalBroker, _term?.Epoch ?? -1, reason);
        metrics.StoppedLeading(_id);
        EndTerm();

        // A plain deactivation: this may be a controlled shutdown of this silo, which is no time to move
        // activations. A call that a stale cache still sends here finds a fresh activation, which moves.
        DeactivateOnIdle();
    }

    /// <summary>
    /// Ends this activation that does not lead by moving it to the leader's silo (placement asks the coordinator),
    /// or, when placement names no other silo, by deactivating it. A plain deactivation is not enough: it leaves
    /// no registration in the grain directory while other silos' caches still name this silo, so their next call
    /// would create a fresh activation here that does not lead either, and so on, never placed at the leader.
    /// A moved activation is registered at the leader's silo at once, and a call that still reaches this silo is
    /// forwarded there, which also corrects the caller's cache.
    /// </summary>
    private void LeaveForLeader() => GrainContext.Migrate(requestContext: null);

    private bool Leads => _log is not null && _term is not null && !_deposed;

    private void Attach(TopicDescription? topic)
    {
        var leadership = topic is null ? null : LeadershipOf(topic);
        if (topic is null || leadership is null)
        {
            return;
        }

        if (Leads && _topic!.TopicId == topic.TopicId && _term!.Epoch == leadership.LeaderEpoch && leadership.Leader == LocalBroker)
        {
            // Two calls of a fresh activation may both have looked the topic up: the term they found is running.
            _topic = topic;
            _leadership = leadership;
            _term.Update(leadership);
            return;
        }

        if (_topic is { } previous && previous.TopicId != topic.TopicId)
        {
            // The topic was deleted and recreated (this activation missed the delete): nothing of the old one is served.
            EndTerm();
            _term = null;
            _appender = null;
            HoldLog(null);
        }

        _topic = topic;
        _leadership = leadership;
        _replica = replicas.Get(_id, topic.TopicId);
        if (leadership.Leader != LocalBroker || !_replica.Observe(leadership.LeaderEpoch))
        {
            return;
        }

        // The log may already be open from this broker's follower replica.
        EndTerm();
        var log = logs.Acquire(_id, topic);
        HoldLog(log);
        _term = new LeaderReplication(_id, LocalBroker, leadership, log, _replica, this, replication.Value, time, metrics, logger);
        _appender = new LeaderAppender(_id, log, _term, this, lease, producerIds, transactions, producerOptions.Value, time, logger);
        LogLeading(_id.DirectoryName, LocalBroker, _term.Epoch, log.LogEndOffset, _term.HighWatermark.Value, leadership.Isr);
        metrics.StartedTerm(_id.Topic);
        _term.Start();
        if (_term.Links.Count > 0)
        {
            var period = replication.Value.ReplicaLagTimeMax / 4;
            _isrTimer = this.RegisterGrainTimer(static grain => grain.CheckIsr(), this, new GrainTimerCreationOptions(period, period) { KeepAlive = false, Interleave = true });
        }
    }

    /// <summary>
    /// Makes <paramref name="log"/> (acquired for this activation, or null) the log it holds, releasing the one it held
    /// (after the new one was acquired, so a log that stays never closes in between); <paramref name="beforeClose"/>
    /// runs if that release closes it.
    /// </summary>
    private void HoldLog(PartitionLog? log, Action? beforeClose = null)
    {
        if (_log is { } held)
        {
            _ = logs.Release(_id, held, _replica?.HighWatermark ?? 0, beforeClose);
        }

        _log = log;
    }

    /// <summary>
    /// The term's periodic ISR check. Its ticks do not keep the activation alive: an idle leader deactivates after
    /// the idle timeout, but not while a replica still lags (it would stay behind until the partition's next use).
    /// </summary>
    private Task CheckIsr()
    {
        if (_term is not { } term)
        {
            return Task.CompletedTask;
        }

        if (!term.IsFullyReplicated)
        {
            DelayDeactivation(replication.Value.ReplicaLagTimeMax);
        }

        return term.CheckIsr();
    }

    /// <summary>Stops the current term's loops and ISR timer and wakes everything waiting on its high watermark.</summary>
    private void EndTerm(bool snapshot = true)
    {
        if (snapshot)
        {
            _appender?.Snapshot();
        }

        _isrTimer?.Dispose();
        _isrTimer = null;
        _term?.Stop();
    }

    private PartitionLeadership? LeadershipOf(TopicDescription topic) =>
        _id.Partition < topic.PartitionCount && !topic.Partitions.IsDefault ? topic.Partitions[_id.Partition] : null;

    /// <summary>Null when this activation leads (looking the topic up again if it was unknown); otherwise why it cannot serve.</summary>
    private async ValueTask<OrleansLogException?> RequireLeader()
    {
        if (_log is null && !_deposed)
        {
            Attach(await Coordinator.TryGetTopic(_id.Topic));
        }

        if (Leads && _replica.KnownEpoch > _term!.Epoch)
        {
            StepDown($"this broker has seen leader epoch {_replica.KnownEpoch}");
        }

        if (Leads)
        {
            return null;
        }

        if (_topic is null || _leadership is null)
        {
            // A partition a client named that does not exist: nothing of it stays behind.
            DeactivateOnIdle();
            return UnknownPartition();
        }

        // Not the leader here: the next call is served on the leader's silo.
        LeaveForLeader();
        return _leadership.IsOnline && !_deposed ? NotLeader() : new OrleansLogException(ErrorCode.LeaderNotAvailable, $"{_id} has no leader available (epoch {_leadership.LeaderEpoch}).");
    }

    private OrleansLogException UnknownPartition() =>
        new(ErrorCode.UnknownTopicOrPartition, $"Partition {_id.Partition} of topic \"{_id.Topic}\" does not exist.");

    private OrleansLogException NotLeader() =>
        new(ErrorCode.NotLeaderOrFollower, $"Broker {LocalBroker} does not lead {_id} (the leader is broker {_leadership?.Leader}); refresh metadata and retry.");

    [LoggerMessage(Level = LogLevel.Information, Message = "{Partition}: retention deleted {Segments} segments ({Bytes} bytes); log start offset is now {LogStartOffset}.")]
    private partial void LogRetention(string partition, int segments, long bytes, long logStartOffset);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Partition}: broker {Broker} leads at epoch {Epoch} (log end {LogEndOffset}, high watermark {HighWatermark}, ISR {Isr}).")]
    private partial void LogLeading(string partition, int broker, int epoch, long logEndOffset, long highWatermark, ImmutableArray<int> isr);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Partition}: broker {Broker} stops leading epoch {Epoch}: {Reason}.")]
    private partial void LogSteppedDown(string partition, int broker, int epoch, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Partition}: the coordinator's view could not be read: {Message}.")]
    private partial void LogCoordinatorUnreachable(string partition, string message);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Partition}: the leader's activation ends ({Reason}: {Description}); replication resumes at its next activation.")]
    private partial void LogLeaderDeactivated(string partition, DeactivationReasonCode reason, string description);
}
