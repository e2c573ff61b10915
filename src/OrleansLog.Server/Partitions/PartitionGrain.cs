using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using OrleansLog.Metadata;
using OrleansLog.Partitions;
using OrleansLog.Replication;
using OrleansLog.Server.Brokers;
using OrleansLog.Server.Diagnostics;
using OrleansLog.Server.Placement;
using OrleansLog.Server.Producers;
using OrleansLog.Server.Replication;
using OrleansLog.Storage;
using OrleansLog.Storage.Epochs;
using OrleansLog.Records;

namespace OrleansLog.Server.Partitions;

/// <summary>
/// The leader of one partition (see <see cref="IPartitionGrain"/>), placed on the leader broker's silo,
/// over a log from that silo's <see cref="LogManager"/>. It stamps its leader epoch on every batch, pushes
/// its log to each follower (one <see cref="ReplicaLink"/> loop per follower, one push in flight each),
/// keeps the high watermark at the least log end over the ISR, and asks the coordinator to shrink or
/// expand the ISR. An activation that finds it does not lead (placement raced an election, or a follower
/// refused its epoch) answers NOT_LEADER_OR_FOLLOWER and deactivates, so the next call is placed afresh.
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
    TimeProvider time,
    BrokerMetrics metrics,
    ILogger<PartitionGrain> logger) : Grain, IPartitionGrain
{
    private readonly ProducerStateTable _producers = new();
    private readonly Dictionary<int, ReplicaLink> _links = [];
    private TopicPartition _id;
    private LocalReplica _replica = null!;
    private TopicDescription? _topic;
    private PartitionLeadership? _leadership;
    private PartitionLog? _log;
    private int _epoch = -1;
    private long _epochStartOffset;
    private long _highWatermark;
    private bool _deposed;
    private bool _isrChangePending;
    private IGrainTimer? _isrTimer;
    private TaskCompletionSource _highWatermarkMoved = NewSignal();
    private TaskCompletionSource _appended = NewSignal();

    private int LocalBroker => broker.Value.Id;

    /// <summary>Leadership is read from the coordinator itself, never from a cache: a new leader must not start from a stale view.</summary>
    private IMetadataGrain Coordinator => GrainFactory.GetGrain<IMetadataGrain>(IMetadataGrain.ClusterKey);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _id = TopicPartition.ParseGrainKey(this.GetPrimaryKeyString());
        _replica = replicas.Get(_id);
        Attach(await Coordinator.TryGetTopic(_id.Topic));
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (Leads && _links.Count > 0)
        {
            LogLeaderDeactivated(_id.DirectoryName, reason.ReasonCode.ToString(), reason.Description);
        }

        StopLinks();
        metrics.StoppedLeading(_id);
        return Task.CompletedTask;
    }

    public async Task<ProduceResponse> Produce(ProduceRequest request)
    {
        var started = time.GetTimestamp();
        var response = await ProduceCore(request);
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

        var log = _log!;
        var minInsync = _topic!.Config.MinInsyncReplicas;
        if (request.Acks == Acks.All && _leadership!.Isr.Length < minInsync)
        {
            return ProduceResponse.Failed(new OrleansLogException(ErrorCode.NotEnoughReplicas, $"{_id} has {_leadership.Isr.Length} in-sync replica(s) ({string.Join(", ", _leadership.Isr)}); min.insync.replicas is {minInsync}."), log.LogStartOffset);
        }

        try
        {
            if (request.Records.Length >= RecordBatchLayout.HeaderSize && RecordBatchHeader.Read(request.Records.Span) is { HasProducerId: true } batch)
            {
                return await ProduceIdempotent(log, request, batch);
            }

            var info = log.Append(request.Records, _epoch);
            Appended();
            return await Acknowledge(log, info.FirstOffset, info.NextOffset, request);
        }
        catch (OrleansLogException e)
        {
            if (e.Code == ErrorCode.KafkaStorageError)
            {
                LogStorageFailed(e, _id.DirectoryName);
            }
            else if (e.Code == ErrorCode.FencedLeaderEpoch)
            {
                StepDown(e.Message);
                return ProduceResponse.Failed(NotLeader(), log.LogStartOffset);
            }

            return ProduceResponse.Failed(e, log.LogStartOffset);
        }
    }

    /// <summary>
    /// A batch from an idempotent producer: checked against the producer's state and recorded in the
    /// same synchronous stretch as the append, so interleaved produces see each other's sequences.
    /// </summary>
    private async Task<ProduceResponse> ProduceIdempotent(PartitionLog log, ProduceRequest request, RecordBatchHeader batch)
    {
        if (batch.SizeInBytes != request.Records.Length)
        {
            return ProduceResponse.Failed(new OrleansLogException(ErrorCode.InvalidRecord, "A produce from an idempotent producer must carry exactly one record batch."), log.LogStartOffset);
        }

        var check = _producers.Check(batch);
        switch (check.Verdict)
        {
            case ProducerBatchVerdict.Refuse:
                return ProduceResponse.Failed(new OrleansLogException(check.Error, check.Message!), log.LogStartOffset);
            case ProducerBatchVerdict.Duplicate:
                // The first attempt may still be waiting for its flush or its followers: answer when it would have been.
                LogDuplicate(_id.DirectoryName, batch.ProducerId, batch.BaseSequence, check.FirstOffset);
                return await Acknowledge(log, check.FirstOffset, check.LastOffset + 1, request);
        }

        var info = log.Append(request.Records, _epoch);
        _producers.Record(batch with { BaseOffset = info.FirstOffset });
        Appended();
        return await Acknowledge(log, info.FirstOffset, info.NextOffset, request);
    }

    /// <summary>
    /// Answers an append once its acks level holds: acks=1 once it is durable here (if the topic flushes
    /// first); acks=all once the high watermark covers it, that is, every in-sync replica has it.
    /// </summary>
    private async Task<ProduceResponse> Acknowledge(PartitionLog log, long firstOffset, long nextOffset, ProduceRequest request)
    {
        await log.FlushIfDueAsync(nextOffset);
        UpdateHighWatermark();
        if (request.Acks == Acks.All && _highWatermark < nextOffset && await WaitForHighWatermark(nextOffset, request.TimeoutMs) is { } failure)
        {
            return ProduceResponse.Failed(failure, log.LogStartOffset);
        }

        LogAppended(_id.DirectoryName, firstOffset, nextOffset - 1);
        return new ProduceResponse(ErrorCode.None, firstOffset, log.LogStartOffset);
    }

    private async Task<OrleansLogException?> WaitForHighWatermark(long offset, int timeoutMs)
    {
        var timeout = Task.Delay(TimeSpan.FromMilliseconds(Math.Max(timeoutMs, 0)), time);
        while (_highWatermark < offset)
        {
            if (_deposed)
            {
                return new OrleansLogException(ErrorCode.NotLeaderOrFollower, $"This broker stopped leading {_id} before offset {offset - 1} reached every in-sync replica.");
            }

            if (timeout.IsCompleted)
            {
                return new OrleansLogException(ErrorCode.RequestTimedOut, $"Offset {offset - 1} of {_id} did not reach every in-sync replica ({string.Join(", ", _leadership!.Isr)}) within {timeoutMs} ms.");
            }

            await Task.WhenAny(_highWatermarkMoved.Task, timeout);
        }

        var minInsync = _topic!.Config.MinInsyncReplicas;
        return _leadership!.Isr.Length < minInsync
            ? new OrleansLogException(ErrorCode.NotEnoughReplicasAfterAppend, $"Offset {offset - 1} of {_id} is written, but the ISR shrank to {_leadership.Isr.Length}, below min.insync.replicas {minInsync}.")
            : null;
    }

    public async Task<FetchResponse> Fetch(FetchRequest request)
    {
        var started = time.GetTimestamp();
        var response = await FetchCore(request);
        metrics.Fetched(_id.Topic, response.Error, response.Records.Length, time.GetElapsedTime(started));
        return response;
    }

    private async Task<FetchResponse> FetchCore(FetchRequest request)
    {
        if (await RequireLeader() is { } refusal)
        {
            return Failed(refusal, -1, -1);
        }

        var log = _log!;
        if (request.MaxBytes <= 0)
        {
            return Failed(new OrleansLogException(ErrorCode.InvalidFetchSize, $"maxBytes={request.MaxBytes} must be positive."), _highWatermark, log.LogStartOffset);
        }

        // One timer for the whole wait, however often the high watermark wakes this fetch.
        var timeout = Task.Delay(Math.Max(request.MaxWaitMs, 0));
        while (true)
        {
            var highWatermark = _highWatermark;
            var signal = _highWatermarkMoved.Task;
            if (request.Offset < log.LogStartOffset || request.Offset > log.LogEndOffset)
            {
                return Failed(
                    new OrleansLogException(ErrorCode.OffsetOutOfRange, $"Offset {request.Offset} is outside [{log.LogStartOffset}, {log.LogEndOffset}] in {_id}."),
                    highWatermark,
                    log.LogStartOffset);
            }

            if (request.Offset < highWatermark)
            {
                using var read = log.Read(request.Offset, request.MaxBytes, maxOffset: highWatermark);
                if (read.Length >= request.MinBytes || timeout.IsCompleted)
                {
                    // Copied out of the pooled buffer: the response outlives this call.
                    return new FetchResponse(ErrorCode.None, read.Records.ToArray(), highWatermark, read.LogStartOffset, read.Length > 0 ? read.NextOffset : request.Offset);
                }
            }

            if (timeout.IsCompleted)
            {
                return new FetchResponse(ErrorCode.None, ReadOnlyMemory<byte>.Empty, highWatermark, log.LogStartOffset, request.Offset);
            }

            await Task.WhenAny(signal, timeout);
            if (_log is null || _deposed)
            {
                return Failed(_deposed ? NotLeader() : UnknownPartition(), -1, -1);
            }
        }
    }

    public async Task<long> ListOffset(long timestamp)
    {
        if (await RequireLeader() is { } refusal)
        {
            throw refusal;
        }

        var log = _log!;
        return timestamp switch
        {
            ListOffsetsSpec.Earliest => log.LogStartOffset,
            ListOffsetsSpec.Latest => _highWatermark,
            < 0 => throw new OrleansLogException(ErrorCode.InvalidRequest, $"Timestamp {timestamp} is not a time, -1 (latest) or -2 (earliest)."),
            _ => log.OffsetForTimestamp(timestamp) is { } offset && offset < _highWatermark ? offset : -1,
        };
    }

    public async Task<LeaderEpochEndOffset> OffsetForLeaderEpoch(int currentLeaderEpoch, int leaderEpoch)
    {
        if (await RequireLeader() is { } refusal)
        {
            return new LeaderEpochEndOffset(refusal.Code, -1, -1);
        }

        if (currentLeaderEpoch >= 0 && currentLeaderEpoch != _epoch)
        {
            return new LeaderEpochEndOffset(currentLeaderEpoch < _epoch ? ErrorCode.FencedLeaderEpoch : ErrorCode.UnknownLeaderEpoch, -1, -1);
        }

        // This leader's own epoch begins at its start offset even before it appended anything in it.
        var log = _log!;
        var epochs = log.LeaderEpochs;
        if (epochs.IsDefaultOrEmpty || epochs[^1].Epoch < _epoch)
        {
            epochs = epochs.IsDefault ? [new EpochEntry(_epoch, _epochStartOffset)] : epochs.Add(new EpochEntry(_epoch, _epochStartOffset));
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
        return new PartitionState(_id.Partition, log.LogStartOffset, log.LogEndOffset, _highWatermark, log.SizeInBytes, log.SegmentCount);
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

            return Task.FromResult(Leads);
        }

        var leadership = LeadershipOf(topic);
        if (leadership is null || leadership.Leader != LocalBroker || leadership.LeaderEpoch != _epoch)
        {
            StepDown($"the coordinator moved leadership to broker {leadership?.Leader} at epoch {leadership?.LeaderEpoch}");
            return Task.FromResult(false);
        }

        _topic = topic;
        _leadership = leadership;
        metrics.Leads(_id, leadership.Isr.Length, leadership.Replicas.Length);
        _log.UpdateConfig(topic.Config.ToLogConfig());
        UpdateHighWatermark();
        return Task.FromResult(true);
    }

    public Task Delete()
    {
        StopLinks();
        _log = null;
        _topic = null;
        logs.Delete(_id);
        replicas.Forget(_id);
        metrics.StoppedLeading(_id);
        _highWatermarkMoved.TrySetResult();
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    private bool Leads => _log is not null && !_deposed;

    private void Attach(TopicDescription? topic)
    {
        var leadership = topic is null ? null : LeadershipOf(topic);
        if (topic is null || leadership is null)
        {
            return;
        }

        _topic = topic;
        _leadership = leadership;
        if (leadership.Leader != LocalBroker || !_replica.Observe(leadership.LeaderEpoch))
        {
            return;
        }

        // The log may already be open from an earlier activation, or from this broker's follower replica.
        _log = logs.GetOrOpen(_id, topic);
        _epoch = leadership.LeaderEpoch;
        _epochStartOffset = _log.LogEndOffset;

        // A leader alone in the ISR owns everything it has; otherwise it starts from the high watermark it
        // last heard as a follower and lets the followers' answers move it.
        _highWatermark = leadership.Isr is [var only] && only == LocalBroker
            ? LocalEnd(_log)
            : Math.Clamp(_replica.HighWatermark, _log.LogStartOffset, _log.LogEndOffset);
        ProducerStateLoader.Load(_log, _producers);
        LogLeading(_id.DirectoryName, LocalBroker, _epoch, _log.LogEndOffset, _highWatermark, string.Join(",", leadership.Isr));
        metrics.Leads(_id, leadership.Isr.Length, leadership.Replicas.Length);
        StartLinks(leadership);
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

        if (_log is not null && !_deposed && _replica.KnownEpoch > _epoch)
        {
            StepDown($"this broker has seen leader epoch {_replica.KnownEpoch}");
        }

        if (Leads)
        {
            return null;
        }

        if (_topic is null || _leadership is null)
        {
            return UnknownPartition();
        }

        // Not the leader here: let the next call be placed afresh, on the leader's silo.
        DeactivateOnIdle();
        return _leadership.IsOnline && !_deposed ? NotLeader() : new OrleansLogException(ErrorCode.LeaderNotAvailable, $"{_id} has no leader available (epoch {_leadership.LeaderEpoch}).");
    }

    private void StartLinks(PartitionLeadership leadership)
    {
        foreach (var follower in leadership.Followers)
        {
            var link = new ReplicaLink(follower, time.GetTimestamp());
            _links[follower] = link;
            _ = RunLink(link);
        }

        if (_links.Count > 0)
        {
            var period = replication.Value.ReplicaLagTimeMax / 4;
            _isrTimer = this.RegisterGrainTimer(CheckIsr, new GrainTimerCreationOptions(period, period) { KeepAlive = true, Interleave = true });
        }
    }

    private void StopLinks()
    {
        foreach (var link in _links.Values)
        {
            link.Stopped = true;
        }

        _isrTimer?.Dispose();
        _isrTimer = null;
        Appended();
    }

    /// <summary>
    /// Keeps one follower in step: reconcile once per epoch (the follower cuts any divergent tail), then
    /// push whatever it lacks, at most <c>MaxPushBytes</c> at a time, or wait for the next append. Any
    /// failure (an unreachable broker, a refused push) means reconcile again after a backoff.
    /// </summary>
    private async Task RunLink(ReplicaLink link)
    {
        var follower = GrainFactory.GetGrain<IFollowerGrain>(IFollowerGrain.Key(_id, link.Broker));
        var options = replication.Value;
        var reconciled = false;
        while (!link.Stopped && Leads)
        {
            var log = _log!;
            try
            {
                ReplicaResponse response;
                var end = log.LogEndOffset;
                var readAt = time.GetTimestamp();
                if (!reconciled)
                {
                    response = await follower.Reconcile(new ReconcileRequest(_epoch, LocalBroker, log.LeaderEpochs, log.LogStartOffset, end, _highWatermark))
                        .WaitAsync(options.ReplicaCallTimeout, time);
                }
                else if (link.LogEndOffset >= end && link.SentHighWatermark >= _highWatermark && link.SentLogStartOffset >= log.LogStartOffset)
                {
                    link.LastCaughtUp = readAt;
                    if (!_leadership!.Isr.Contains(link.Broker))
                    {
                        // Outside the ISR yet apparently caught up: an old answer (the follower may have died
                        // and come back, or was refused while it stopped). Ask the follower itself again, after
                        // a pause; its answer is what takes it back into the ISR.
                        reconciled = false;
                        await Task.Delay(options.RetryBackoff, time);
                        continue;
                    }

                    await _appended.Task.WaitAsync(TimeSpan.FromSeconds(1), time).ConfigureAwait(ConfigureAwaitOptions.ContinueOnCapturedContext | ConfigureAwaitOptions.SuppressThrowing);
                    continue;
                }
                else
                {
                    // The push carries the pooled read buffer itself (no copy). It goes back to the pool only
                    // once the follower has answered, when the request has certainly been serialized; a call
                    // that fails leaves the buffer to the garbage collector.
                    var read = link.LogEndOffset < end ? log.Read(link.LogEndOffset, options.MaxPushBytes) : null;
                    var push = new ReplicateRequest(_epoch, read?.Records ?? ReadOnlyMemory<byte>.Empty, _highWatermark, log.LogStartOffset);
                    response = await follower.Replicate(push).WaitAsync(options.ReplicaCallTimeout, time);
                    read?.Dispose();
                    if (response.Error == ErrorCode.None)
                    {
                        link.SentHighWatermark = push.HighWatermark;
                        link.SentLogStartOffset = push.LogStartOffset;
                    }
                }

                if (response.Error != ErrorCode.None)
                {
                    if (response.Error == ErrorCode.FencedLeaderEpoch)
                    {
                        StepDown($"broker {link.Broker} refused the epoch: {response.ErrorMessage}");
                        return;
                    }

                    LogFollowerRefused(_id.DirectoryName, link.Broker, response.Error.KafkaName(), response.ErrorMessage);
                    reconciled = false;
                    await Task.Delay(options.RetryBackoff, time);
                    continue;
                }

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
                LogFollowerUnreachable(_id.DirectoryName, link.Broker, e.Message);
                reconciled = false;
                link.LogEndOffset = -1;
                if (_leadership!.Isr.Contains(link.Broker))
                {
                    await PullLeadership();
                }

                await Task.Delay(options.RetryBackoff, time);
            }
        }
    }

    /// <summary>
    /// Reads this partition's leadership from the coordinator, as its Refresh would have brought it. An
    /// unreachable in-sync follower is most often a dead broker that the coordinator has already taken out
    /// of the ISR, but its Refresh may not reach this activation (one that Orleans is deactivating queues
    /// it), and acks=all produces would wait for the dead replica until they time out. Self-limiting: once
    /// the follower is out of the ISR this is not asked again.
    /// </summary>
    private async Task PullLeadership()
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
            LogFollowerUnreachable(_id.DirectoryName, LocalBroker, $"the coordinator's view could not be read: {e.Message}");
        }
    }

    private Task CheckIsr()
    {
        if (!Leads || _isrChangePending)
        {
            return Task.CompletedTask;
        }

        var log = _log!;
        var now = time.GetTimestamp();
        foreach (var link in _links.Values)
        {
            if (link.LogEndOffset >= log.LogEndOffset)
            {
                link.LastCaughtUp = now;
            }
        }

        var lagging = IsrRules.Lagging(_leadership!.Isr, LocalBroker, _links, time, replication.Value.ReplicaLagTimeMax);
        if (lagging.IsEmpty)
        {
            return Task.CompletedTask;
        }

        LogIsrShrinking(_id.DirectoryName, string.Join(",", lagging), replication.Value.ReplicaLagTimeMax.TotalMilliseconds);
        metrics.IsrShrank(_id.Topic);
        return AlterIsr([.. _leadership.Isr.Except(lagging)]);
    }

    private void MaybeExpandIsr(ReplicaLink link)
    {
        if (!_isrChangePending && !_leadership!.Isr.Contains(link.Broker) && IsrRules.CanRejoin(link, _highWatermark, _epochStartOffset))
        {
            LogIsrExpanding(_id.DirectoryName, link.Broker, link.LogEndOffset);
            metrics.IsrExpanded(_id.Topic);
            _ = AlterIsr(_leadership.Isr.Add(link.Broker));
        }
    }

    private async Task AlterIsr(ImmutableArray<int> isr)
    {
        _isrChangePending = true;
        try
        {
            // Bounded: an answer lost with a coordinator's silo must not leave the change pending for ever,
            // which would block every later ISR change of this partition.
            var result = await Coordinator.AlterIsr(_id.Topic, _id.Partition, _epoch, isr).WaitAsync(replication.Value.ReplicaCallTimeout, time);
            if (result.Leader != LocalBroker || result.LeaderEpoch != _epoch)
            {
                StepDown($"the coordinator answered with leader {result.Leader} at epoch {result.LeaderEpoch}");
                return;
            }

            _leadership = result;
            metrics.Leads(_id, result.Isr.Length, result.Replicas.Length);
            UpdateHighWatermark();
        }
        catch (OrleansLogException e) when (e.Code == ErrorCode.FencedLeaderEpoch)
        {
            StepDown(e.Message);
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

    private void StepDown(string reason)
    {
        if (_deposed)
        {
            return;
        }

        _deposed = true;
        LogSteppedDown(_id.DirectoryName, LocalBroker, _epoch, reason);
        metrics.StoppedLeading(_id);
        StopLinks();
        _highWatermarkMoved.TrySetResult();
        DeactivateOnIdle();
    }

    private void Appended()
    {
        var appended = _appended;
        _appended = NewSignal();
        appended.TrySetResult();
    }

    /// <summary>The leader's own contribution to the high watermark: what it may acknowledge (flushed, for topics that flush first).</summary>
    private static long LocalEnd(PartitionLog log) => log.Config.FlushMessages <= 1 ? log.FlushedOffset : log.LogEndOffset;

    private void UpdateHighWatermark()
    {
        if (_log is { } log && _leadership is { } leadership)
        {
            AdvanceHighWatermark(IsrRules.HighWatermark(_highWatermark, Math.Min(LocalEnd(log), log.LogEndOffset), LocalBroker, leadership.Isr, _links));
        }
    }

    private void AdvanceHighWatermark(long offset)
    {
        if (offset > _highWatermark)
        {
            _highWatermark = offset;
            _replica.SetHighWatermark(offset);
            var moved = _highWatermarkMoved;
            _highWatermarkMoved = NewSignal();
            moved.TrySetResult();
        }
    }

    private OrleansLogException UnknownPartition() =>
        new(ErrorCode.UnknownTopicOrPartition, $"Partition {_id.Partition} of topic \"{_id.Topic}\" does not exist.");

    private OrleansLogException NotLeader() =>
        new(ErrorCode.NotLeaderOrFollower, $"Broker {LocalBroker} does not lead {_id} (the leader is broker {_leadership?.Leader}); refresh metadata and retry.");

    private static FetchResponse Failed(OrleansLogException error, long highWatermark, long logStartOffset) =>
        new(error.Code, ReadOnlyMemory<byte>.Empty, highWatermark, logStartOffset, -1, error.Message);

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Partition}: appended offsets {First}..{Last}.")]
    private partial void LogAppended(string partition, long first, long last);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Partition}: dropped a duplicate batch of producer {ProducerId} (sequence {Sequence}); it is at offset {Offset}.")]
    private partial void LogDuplicate(string partition, long producerId, int sequence, long offset);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Partition}: the log is offline after a storage failure.")]
    private partial void LogStorageFailed(Exception error, string partition);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Partition}: retention deleted {Segments} segments ({Bytes} bytes); log start offset is now {LogStartOffset}.")]
    private partial void LogRetention(string partition, int segments, long bytes, long logStartOffset);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Partition}: broker {Broker} leads at epoch {Epoch} (log end {LogEndOffset}, high watermark {HighWatermark}, ISR {Isr}).")]
    private partial void LogLeading(string partition, int broker, int epoch, long logEndOffset, long highWatermark, string isr);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Partition}: broker {Broker} stops leading epoch {Epoch}: {Reason}.")]
    private partial void LogSteppedDown(string partition, int broker, int epoch, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Partition}: follower {Broker} refused a push ({Error}: {Message}); reconciling again.")]
    private partial void LogFollowerRefused(string partition, int broker, string error, string? message);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Partition}: follower {Broker} unreachable ({Message}); retrying.")]
    private partial void LogFollowerUnreachable(string partition, int broker, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Partition}: removing lagging follower(s) {Brokers} from the ISR (behind for over {LagMs} ms).")]
    private partial void LogIsrShrinking(string partition, string brokers, double lagMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Partition}: the leader's activation ends ({Reason}: {Description}); replication resumes at its next activation.")]
    private partial void LogLeaderDeactivated(string partition, string reason, string description);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Partition}: follower {Broker} caught up (log end {LogEndOffset}); adding it back to the ISR.")]
    private partial void LogIsrExpanding(string partition, int broker, long logEndOffset);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Partition}: the coordinator did not take the ISR change; trying again later.")]
    private partial void LogIsrChangeFailed(Exception error, string partition);
}
