using Microsoft.Extensions.Logging;
using OrleansLog.Metadata;
using OrleansLog.Partitions;
using OrleansLog.Records;
using OrleansLog.Server.Brokers;
using OrleansLog.Server.Producers;
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
    private readonly ProducerStateTable _producers = new();
    private long _nextExpiryCheck;
    private long _snapshotOffset;

    public LeaderAppender(TopicPartition id, PartitionLog log, LeaderReplication term, ILeaderReplicationHost host, BrokerLease lease, IProducerIdAuthority producerIds, ProducerStateOptions producerOptions, TimeProvider time, ILogger logger)
    {
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

    public async Task<ProduceResponse> AppendAsync(ProduceRequest request, TopicConfig config)
    {
        var minInsync = config.MinInsyncReplicas;
        var isr = _term.Leadership.Isr;
        if (request.Acks == Acks.All && isr.Length < minInsync)
        {
            return ProduceResponse.Failed(new OrleansLogException(ErrorCode.NotEnoughReplicas, $"{_id} has {isr.Length} in-sync replica(s) ({string.Join(", ", isr)}); min.insync.replicas is {minInsync}."), _log.LogStartOffset);
        }

        try
        {
            if (request.Records.Length >= RecordBatchLayout.HeaderSize && RecordBatchHeader.Read(request.Records.Span) is { HasProducerId: true } batch)
            {
                return await AppendIdempotentAsync(request, batch, config);
            }

            var info = _log.Append(request.Records, _term.Epoch);
            _term.Appended();
            SnapshotIfDue(info.NextOffset);
            return await AcknowledgeAsync(info.FirstOffset, info.NextOffset, info.LogAppendTime, request, config);
        }
        catch (OrleansLogException e)
        {
            if (e.Code == ErrorCode.KafkaStorageError)
            {
                LogStorageFailed(e, _id.DirectoryName);
            }
            else if (e.Code == ErrorCode.FencedLeaderEpoch)
            {
                _host.StepDown(e.Message);
                return ProduceResponse.Failed(new OrleansLogException(ErrorCode.NotLeaderOrFollower, $"This broker no longer leads {_id} ({e.Message}); refresh metadata and retry."), _log.LogStartOffset);
            }

            return ProduceResponse.Failed(e, _log.LogStartOffset);
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
        _producers.Record(batch with { BaseOffset = info.FirstOffset }, now);
        _term.Appended();
        SnapshotIfDue(info.NextOffset);
        return await AcknowledgeAsync(info.FirstOffset, info.NextOffset, info.LogAppendTime, request, config);
    }

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
