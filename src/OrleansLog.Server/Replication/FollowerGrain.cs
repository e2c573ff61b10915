using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansLog.Metadata;
using OrleansLog.Partitions;
using OrleansLog.Records;
using OrleansLog.Replication;
using OrleansLog.Server.Brokers;
using OrleansLog.Server.Partitions;
using OrleansLog.Server.Placement;
using OrleansLog.Server.Producers;
using OrleansLog.Storage;
using OrleansLog.Storage.Epochs;

namespace OrleansLog.Server.Replication;

/// <summary>
/// A follower replica (see <see cref="IFollowerGrain"/>), on its broker's silo, over the log it shares
/// through <see cref="LogManager"/> with the partition grain that runs there when this broker leads.
/// Concurrency: not reentrant; one leader pushes one request at a time, so calls never interleave.
/// A leader must reconcile once per epoch before it may push (the divergent tail is cut first). Every
/// request names the leader's topic id: one for another topic of this name makes the follower ask the
/// coordinator, and switch to the current topic's log (with its own epochs) when the leader is right, or
/// refuse with UNKNOWN_TOPIC_ID when the leader is stale; an activation never serves two topics.
/// </summary>
[ReplicaPlacement]
public sealed partial class FollowerGrain(
    LogManager logs,
    LocalReplicas replicas,
    IOptions<BrokerOptions> broker,
    IOptions<ProducerStateOptions> producerOptions,
    TimeProvider time,
    ILogger<FollowerGrain> logger) : Grain, IFollowerGrain
{
    private TopicPartition _id;
    private int _broker;
    private LocalReplica _replica = new();
    private PartitionLog? _log;
    private FollowerProducerSnapshots? _producerSnapshots;
    private Guid _topicId;
    private int _reconciledEpoch = -1;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        (_id, _broker) = IFollowerGrain.ParseKey(this.GetPrimaryKeyString());
        if (_broker != broker.Value.Id)
        {
            throw new OrleansLogException(ErrorCode.ReplicaNotAvailable, $"The replica of {_id} on broker {_broker} was placed on broker {broker.Value.Id}.");
        }

        await AttachCurrentTopic();
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        SnapshotProducersIfDue();
        ReleaseLog();
        return Task.CompletedTask;
    }

    /// <summary>Lets go of the log this activation held (the last user closes it, keeping the replica's high watermark).</summary>
    private void ReleaseLog()
    {
        if (_log is { } held)
        {
            _ = logs.Release(_id, held, _replica.HighWatermark);
        }

        _log = null;
    }

    public async Task<ReplicaResponse> Reconcile(ReconcileRequest request)
    {
        if (await CheckTopic(request.TopicId) is { } wrongTopic)
        {
            return wrongTopic;
        }

        if (_log is not { } log)
        {
            return NotAReplica();
        }

        if (!_replica.Observe(request.LeaderEpoch))
        {
            return Fenced(request.LeaderEpoch);
        }

        try
        {
            if (log.LogEndOffset < request.LogStartOffset || log.LogStartOffset > request.LogEndOffset)
            {
                // Nothing in common (the leader deleted what this replica would need next): start again at the leader's start.
                log.TruncateFullyAndStartAt(request.LogStartOffset);
                LogRestarted(_id.DirectoryName, _broker, request.LogStartOffset);
            }
            else
            {
                var cut = EpochDivergence.TruncationOffset(request.LeaderEpochs, request.LogStartOffset, request.LogEndOffset, log.LeaderEpochs, log.LogStartOffset, log.LogEndOffset);
                if (cut < log.LogEndOffset)
                {
                    LogTruncated(_id.DirectoryName, _broker, log.LogEndOffset, cut, request.LeaderEpoch);
                    log.TruncateTo(cut);
                }
            }

            _reconciledEpoch = request.LeaderEpoch;
            _replica.SetHighWatermark(Math.Min(request.HighWatermark, log.LogEndOffset));
            return new ReplicaResponse(ErrorCode.None, log.LogEndOffset);
        }
        catch (OrleansLogException e)
        {
            return ReplicaResponse.Failed(e.Code, e.Message);
        }
    }

    public async Task<ReplicaResponse> Replicate(ReplicateRequest request)
    {
        try
        {
            return await ReplicateCore(request);
        }
        finally
        {
            // The batches are in the log (or refused): a pooled array they came in goes back (see BatchBytes).
            request.Records.Dispose();
        }
    }

    private async Task<ReplicaResponse> ReplicateCore(ReplicateRequest request)
    {
        if (await CheckTopic(request.TopicId) is { } wrongTopic)
        {
            return wrongTopic;
        }

        if (_log is not { } log)
        {
            return NotAReplica();
        }

        if (!_replica.Observe(request.LeaderEpoch))
        {
            return Fenced(request.LeaderEpoch);
        }

        if (request.LeaderEpoch != _reconciledEpoch)
        {
            return ReplicaResponse.Failed(ErrorCode.UnknownLeaderEpoch, $"Epoch {request.LeaderEpoch} has not reconciled {_id} on broker {_broker} yet.");
        }

        try
        {
            if (!request.Records.IsEmpty)
            {
                var info = log.AppendAsFollower(request.Records);
                await log.FlushIfDueAsync(info.NextOffset);
                SnapshotProducersIfDue();
            }

            if (request.LogStartOffset > log.LogStartOffset && request.LogStartOffset <= log.LogEndOffset)
            {
                log.DeleteRecordsBefore(request.LogStartOffset);
            }

            _replica.SetHighWatermark(Math.Min(request.HighWatermark, log.LogEndOffset));
            return new ReplicaResponse(ErrorCode.None, log.LogEndOffset);
        }
        catch (OrleansLogException e)
        {
            // A push that does not continue this log (a lost response, a retry) makes the leader reconcile again.
            _reconciledEpoch = e.Code == ErrorCode.KafkaStorageError ? _reconciledEpoch : -1;
            return ReplicaResponse.Failed(e.Code, e.Message);
        }
    }

    public Task Fence(int leaderEpoch)
    {
        _replica.Observe(leaderEpoch);
        return Task.CompletedTask;
    }

    public Task<ReplicaState> GetState()
    {
        var log = _log ?? throw new OrleansLogException(ErrorCode.UnknownTopicOrPartition, $"Broker {_broker} holds no replica of {_id}.");
        return Task.FromResult(new ReplicaState(_broker, log.LogStartOffset, log.LogEndOffset, _replica.HighWatermark, _replica.KnownEpoch, log.LeaderEpochs));
    }

    public Task Delete()
    {
        _log = null;
        _producerSnapshots = null;
        _topicId = Guid.Empty;
        logs.Delete(_id);
        replicas.Forget(_id);
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    private void SnapshotProducersIfDue()
    {
        try
        {
            _producerSnapshots?.SnapshotIfDue();
        }
        catch (Exception e) when (e is IOException or OrleansLogException or UnauthorizedAccessException)
        {
            // Only a failover to this replica suffers: its new term replays more of the log.
            LogProducerSnapshotFailed(_id.DirectoryName, _broker, e.Message);
        }
    }

    /// <summary>Opens the current topic's log (if this partition exists) and takes its replica state.</summary>
    private async Task AttachCurrentTopic()
    {
        var topic = await GrainFactory.GetGrain<IMetadataGrain>(IMetadataGrain.ClusterKey).TryGetTopic(_id.Topic);
        _reconciledEpoch = -1;
        if (topic is not null && _id.Partition < topic.PartitionCount)
        {
            var log = logs.Acquire(_id, topic);
            ReleaseLog();
            _topicId = topic.TopicId;
            _replica = replicas.Get(_id, topic.TopicId);
            _log = log;
            _producerSnapshots = new FollowerProducerSnapshots(_log, producerOptions.Value, time);
        }
        else
        {
            ReleaseLog();
            _topicId = Guid.Empty;
            _producerSnapshots = null;
        }
    }

    /// <summary>Null when the leader serves this activation's topic; otherwise switches to the current topic first, or says why the leader is stale.</summary>
    private async Task<ReplicaResponse?> CheckTopic(Guid leaderTopicId)
    {
        if (leaderTopicId == Guid.Empty || leaderTopicId == _topicId)
        {
            return null;
        }

        var before = _topicId;
        await AttachCurrentTopic();
        if (_topicId == leaderTopicId)
        {
            LogTopicChanged(_id.DirectoryName, _broker, before, _topicId);
            return null;
        }

        return ReplicaResponse.Failed(ErrorCode.UnknownTopicId, $"Topic id {leaderTopicId} is not the current topic \"{_id.Topic}\" ({(_topicId == Guid.Empty ? "none" : _topicId)}) on broker {_broker}.");
    }

    private ReplicaResponse NotAReplica() =>
        ReplicaResponse.Failed(ErrorCode.UnknownTopicOrPartition, $"Partition {_id} does not exist (broker {_broker}).");

    private ReplicaResponse Fenced(int epoch) =>
        ReplicaResponse.Failed(ErrorCode.FencedLeaderEpoch, $"Leader epoch {epoch} of {_id} is fenced: broker {_broker} has seen epoch {_replica.KnownEpoch}.");

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Partition} on broker {Broker}: cut the divergent tail from {LogEndOffset} to {Offset} for leader epoch {Epoch}.")]
    private partial void LogTruncated(string partition, int broker, long logEndOffset, long offset, int epoch);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Partition} on broker {Broker}: the leader serves topic id {TopicId}, not {OldTopicId}; the replica follows the current topic (it missed a delete).")]
    private partial void LogTopicChanged(string partition, int broker, Guid oldTopicId, Guid topicId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Partition} on broker {Broker}: emptied the replica to restart at the leader's log start {Offset}.")]
    private partial void LogRestarted(string partition, int broker, long offset);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Partition}: broker {Broker}'s follower did not write its producer state snapshot ({Reason}).")]
    private partial void LogProducerSnapshotFailed(string partition, int broker, string reason);
}
