using Microsoft.Extensions.Logging;
using OrleansLog.Metadata;
using OrleansLog.Partitions;
using OrleansLog.Records;
using OrleansLog.Server.Brokers;
using OrleansLog.Producers;
using OrleansLog.Server.Producers;
using OrleansLog.Server.Transactions;
using OrleansLog.Server.Replication;
using OrleansLog.Storage;

namespace OrleansLog.Server.Partitions;

/// <summary>
/// The leader's produce path for one leadership term: refuses acks=all while the ISR is below
/// <c>min.insync.replicas</c>, checks an idempotent producer's sequence against the producer state rebuilt
/// from the log at the start of the term (and records it in the same synchronous stretch as the append, so
/// interleaved produces see each other's sequences), appends with the term's leader epoch, and answers once
/// the acks level holds: acks=1 once the batch is durable here (if the topic flushes first), acks=all once
/// the high watermark covers it, and in either case only while this broker holds its lease with the
/// coordinator (a broker paused past its session may already have been replaced). An append refused for an older epoch ends the term. A producer id the
/// partition does not know must have been handed out by the cluster (UNKNOWN_PRODUCER_ID otherwise), and
/// producers silent past <see cref="ProducerStateOptions.IdExpiration"/> are forgotten.
/// <para>
/// Transactions: a transaction's first batch here is appended only if its coordinator has the partition in the
/// producer's open transaction (KIP-890's verification, so a late batch of an ended transaction cannot open one that
/// nobody will end); the coordinator's markers are appended as acks=all writes, an abort is recorded in the log's
/// aborted-transaction index, and the last stable offset (<see cref="LastStableOffset"/>) stays below every
/// transaction still open or whose marker is not yet below the high watermark.
/// </para>
/// <para>Concurrency: not thread-safe. Called only in the partition grain's turns; produces interleave at
/// their awaits (flush, replication), and every state change happens between awaits.</para>
/// </summary>
public sealed partial class LeaderAppender
{
    private readonly TopicPartition _id;
    private readonly PartitionLog _log;
    private readonly LeaderReplication _term;
    private readonly ILeaderReplicationHost _host;
    private readonly ILogger _logger;
    private readonly IProducerIdAuthority _producerIds;
    private readonly ProducerStateOptions _producerOptions;
    private readonly BrokerLease _lease;
    private readonly TimeProvider _time;
    private readonly ITransactionVerifier _transactions;
    private readonly ProducerStateTable _producers = new();

    /// <summary>Transactions whose markers are written here but not yet below the high watermark, in marker order.</summary>
    private readonly Queue<(long FirstOffset, long MarkerOffset)> _unreplicated = new();
    private long _nextExpiryCheck;
    private long _snapshotOffset;

    public LeaderAppender(TopicPartition id, PartitionLog log, LeaderReplication term, ILeaderReplicationHost host, BrokerLease lease, IProducerIdAuthority producerIds, ITransactionVerifier transactions, ProducerStateOptions producerOptions, TimeProvider time, ILogger logger)
    {
        _transactions = transactions;
        _id = id;
        _log = log;
        _term = term;
        _host = host;
        _lease = lease;
        _producerIds = producerIds;
        _producerOptions = producerOptions;
        _time = time;
        _logger = logger;
        _snapshotOffset = ProducerStateLoader.Load(log, _producers);
        _nextExpiryCheck = time.GetUtcNow().ToUnixTimeMilliseconds() + (long)producerOptions.ExpirationCheckInterval.TotalMilliseconds;
    }

    /// <summary>Producers this leader remembers (for tests and metrics).</summary>
    public int ProducerCount => _producers.ProducerCount;

    /// <summary>
    /// Where read_committed readers stop: the high watermark, or the first offset of the oldest transaction still open,
    /// or of one whose marker the in-sync replicas do not all hold yet (a new leader without it would still have it open).
    /// </summary>
    public long LastStableOffset
    {
        get
        {
            var highWatermark = _term.HighWatermark.Value;
            while (_unreplicated.TryPeek(out var ended) && ended.MarkerOffset < highWatermark)
            {
                _unreplicated.Dequeue();
            }

            var stable = Math.Min(highWatermark, _producers.FirstUnstableOffset ?? long.MaxValue);
            return _unreplicated.TryPeek(out var pending) ? Math.Min(stable, pending.FirstOffset) : stable;
        }
    }

    public async Task<ProduceResponse> AppendAsync(ProduceRequest request, TopicConfig config)
    {
        if (request.Acks == Acks.All && TooFewInSync(config) is { } tooFew)
        {
            return ProduceResponse.Failed(tooFew, _log.LogStartOffset);
        }

        try
        {
            if (request.Records.Length >= RecordBatchLayout.HeaderSize && RecordBatchHeader.Read(request.Records.Span) is { HasProducerId: true } batch)
            {
                return await AppendIdempotentAsync(request, batch, config);
            }

            var info = _log.Append(request.Records, _term.Epoch);
            ReleaseRecords(request);
            _term.Appended();
            SnapshotIfDue(info.NextOffset);
            return await AcknowledgeAsync(info.FirstOffset, info.NextOffset, info.LogAppendTime, request, config);
        }
        catch (OrleansLogException e)
        {
            return ProduceResponse.Failed(AppendFailed(e), _log.LogStartOffset);
        }
    }

    private async Task<ProduceResponse> AppendIdempotentAsync(ProduceRequest request, RecordBatchHeader batch, TopicConfig config)
    {
        if (batch.SizeInBytes != request.Records.Length)
        {
            return ProduceResponse.Failed(new OrleansLogException(ErrorCode.InvalidRecord, "A produce from an idempotent producer must carry exactly one record batch."), _log.LogStartOffset);
        }

        // Checked before the synchronous check-append-record stretch below, which must not be split by an await.
        if (!_producers.Knows(batch.ProducerId) && !await _producerIds.IsAllocated(batch.ProducerId))
        {
            return ProduceResponse.Failed(new OrleansLogException(ErrorCode.UnknownProducerId, $"Producer id {batch.ProducerId} was not handed out by this cluster: get one with InitProducerId."), _log.LogStartOffset);
        }

        // A transaction's first batch here must belong to an open transaction at its coordinator.
        if (batch.IsTransactional && _producers.OpenTransactionOf(batch.ProducerId) is null)
        {
            if (request.TransactionalId is not { Length: > 0 } transactionalId)
            {
                return ProduceResponse.Failed(new OrleansLogException(ErrorCode.InvalidTxnState, "A transactional batch must come with its transactional id."), _log.LogStartOffset);
            }

            if (!await _transactions.IsInTransaction(transactionalId, new ProducerIdentity(batch.ProducerId, batch.ProducerEpoch), _id))
            {
                return ProduceResponse.Failed(new OrleansLogException(ErrorCode.InvalidTxnState, $"{_id} is not in an open transaction of \"{transactionalId}\" (producer {batch.ProducerId}, epoch {batch.ProducerEpoch}): add it with AddPartitionsToTxn first."), _log.LogStartOffset);
            }
        }

        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        ExpireProducersIfDue(now);
        var check = _producers.Check(batch);
        switch (check.Verdict)
        {
            case ProducerBatchVerdict.Refuse:
                return ProduceResponse.Failed(new OrleansLogException(check.Error, check.Message!), _log.LogStartOffset);
            case ProducerBatchVerdict.Duplicate:
                // The first attempt may still be waiting for its flush or its followers: answer when it would have been.
                LogDuplicate(_id.DirectoryName, batch.ProducerId, batch.BaseSequence, check.FirstOffset);
                return await AcknowledgeAsync(check.FirstOffset, check.LastOffset + 1, -1, request, config);
        }

        var info = _log.Append(request.Records, _term.Epoch);
        ReleaseRecords(request);
        _producers.Record(batch with { BaseOffset = info.FirstOffset }, now);
        _term.Appended();
        SnapshotIfDue(info.NextOffset);
        return await AcknowledgeAsync(info.FirstOffset, info.NextOffset, info.LogAppendTime, request, config);
    }

    /// <summary>
    /// Writes a transaction coordinator's commit or abort marker for one producer, acknowledged as acks=all: the producer's
    /// open transaction ends here (an abort is indexed for read_committed readers). Stale markers are refused.
    /// </summary>
    public async Task<ErrorCode> WriteMarkerAsync(TransactionMarkerRequest request, TopicConfig config)
    {
        if (TooFewInSync(config) is { } tooFew)
        {
            return tooFew.Code;
        }

        if (_producers.CheckMarker(request.ProducerId, request.ProducerEpoch, request.CoordinatorEpoch) is { } refused)
        {
            return refused.Error;
        }

        try
        {
            var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            var marker = new TransactionMarker(request.Commit ? ControlRecordType.Commit : ControlRecordType.Abort, request.CoordinatorEpoch).ToBatch(request.ProducerId, request.ProducerEpoch, now);
            var info = _log.AppendMarker(marker, _term.Epoch);
            if (_producers.RecordMarker(request.ProducerId, request.ProducerEpoch, request.CoordinatorEpoch, request.Commit, info.FirstOffset, now) is { } ended)
            {
                if (!ended.Committed)
                {
                    _log.AppendAbortedTransaction(ended.ToIndexEntry());
                }

                _unreplicated.Enqueue((ended.FirstOffset, ended.MarkerOffset));
            }

            _term.Appended();
            SnapshotIfDue(info.NextOffset);
            var acknowledged = await AcknowledgeAsync(info.FirstOffset, info.NextOffset, -1, new ProduceRequest(marker, Acks.All, request.TimeoutMs), config);
            return acknowledged.Error;
        }
        catch (OrleansLogException e)
        {
            return AppendFailed(e).Code;
        }
    }

    /// <summary>NOT_ENOUGH_REPLICAS while the ISR is below <c>min.insync.replicas</c>, else null.</summary>
    private OrleansLogException? TooFewInSync(TopicConfig config)
    {
        var isr = _term.Leadership.Isr;
        return isr.Length < config.MinInsyncReplicas
            ? new OrleansLogException(ErrorCode.NotEnoughReplicas, $"{_id} has {isr.Length} in-sync replica(s) ({string.Join(", ", isr)}); min.insync.replicas is {config.MinInsyncReplicas}.")
            : null;
    }

    /// <summary>
    /// What an append that threw answers: a storage failure is logged (the log is offline), and an append refused for an
    /// older epoch ends the term and answers NOT_LEADER_OR_FOLLOWER.
    /// </summary>
    private OrleansLogException AppendFailed(OrleansLogException e)
    {
        if (e.Code == ErrorCode.KafkaStorageError)
        {
            LogStorageFailed(e, _id.DirectoryName);
        }
        else if (e.Code == ErrorCode.FencedLeaderEpoch)
        {
            _host.StepDown(e.Message);
            return new OrleansLogException(ErrorCode.NotLeaderOrFollower, $"This broker no longer leads {_id} ({e.Message}); refresh metadata and retry.");
        }

        return e;
    }

    /// <summary>
    /// The log has its own copy of the batches once they are appended: a pooled array they came in goes back now rather
    /// than after the flush and the followers (the grain hands it back too, for requests refused before the append). At
    /// 1,000 partitions every partition holds a request through its fdatasync, more arrays than the pool keeps.
    /// </summary>
    private static void ReleaseRecords(ProduceRequest request) => request.Records.Dispose();

    private async Task<ProduceResponse> AcknowledgeAsync(long firstOffset, long nextOffset, long logAppendTime, ProduceRequest request, TopicConfig config)
    {
        await _log.FlushIfDueAsync(nextOffset);
        _term.UpdateHighWatermark();
        if (request.Acks == Acks.All && await _term.WaitForReplicas(nextOffset, config.MinInsyncReplicas, TimeSpan.FromMilliseconds(Math.Max(request.TimeoutMs, 0))) is { } failure)
        {
            return ProduceResponse.Failed(failure, _log.LogStartOffset);
        }

        // Checked last, after every wait: the batch is in this log, but a new leader may not have it.
        if (!_lease.IsHeld)
        {
            return ProduceResponse.Failed(new OrleansLogException(ErrorCode.NotLeaderOrFollower, $"{_id} was not acknowledged: {_lease.Describe()}; refresh metadata and retry."), _log.LogStartOffset);
        }

        LogAppended(_id.DirectoryName, firstOffset, nextOffset - 1);
        return new ProduceResponse(ErrorCode.None, firstOffset, _log.LogStartOffset, LogAppendTime: logAppendTime);
    }

    /// <summary>Snapshots the producer state as of the log end (the term ends, or the log grew enough since the last one).</summary>
    public void Snapshot()
    {
        try
        {
            // A term that ends twice (a step-down, then the deactivation) writes its snapshot once.
            var end = _log.LogEndOffset;
            if (end == _snapshotOffset)
            {
                return;
            }

            ProducerStateLoader.Snapshot(_log, _producers, end);
            _snapshotOffset = end;
        }
        catch (Exception e) when (e is IOException or OrleansLogException or UnauthorizedAccessException or ObjectDisposedException)
        {
            // Only a later activation's start suffers: it replays more of the log.
            LogSnapshotFailed(_id.DirectoryName, e.Message);
        }
    }

    private void SnapshotIfDue(long nextOffset)
    {
        if (nextOffset - _snapshotOffset >= _producerOptions.SnapshotEveryOffsets)
        {
            Snapshot();
        }
    }

    private void ExpireProducersIfDue(long nowMs)
    {
        if (nowMs >= _nextExpiryCheck)
        {
            _nextExpiryCheck = nowMs + (long)_producerOptions.ExpirationCheckInterval.TotalMilliseconds;
            if (_producers.ExpireProducers(nowMs, (long)_producerOptions.IdExpiration.TotalMilliseconds) is > 0 and var expired)
            {
                LogProducersExpired(_id.DirectoryName, expired);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Partition}: the producer state snapshot was not written ({Reason}).")]
    private partial void LogSnapshotFailed(string partition, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Partition}: forgot {Count} producer(s) silent longer than producer.id.expiration.")]
    private partial void LogProducersExpired(string partition, int count);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Partition}: appended offsets {First}..{Last}.")]
    private partial void LogAppended(string partition, long first, long last);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Partition}: dropped a duplicate batch of producer {ProducerId} (sequence {Sequence}); it is at offset {Offset}.")]
    private partial void LogDuplicate(string partition, long producerId, int sequence, long offset);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Partition}: the log is offline after a storage failure.")]
    private partial void LogStorageFailed(Exception error, string partition);
}
