using Orleans.Concurrency;
using Microsoft.Extensions.Logging;
using OrleansLog.Metadata;
using OrleansLog.Partitions;
using OrleansLog.Server.Producers;
using OrleansLog.Storage;
using OrleansLog.Storage.Format;
using OrleansLog.Topics;

namespace OrleansLog.Server.Partitions;

/// <summary>
/// The leader of one partition (see <see cref="IPartitionGrain"/>), over a log from the silo's
/// <see cref="LogManager"/>. Concurrency: reentrant, so produces interleave while they wait for a
/// flush (they share it: group commit) and long-polling fetches never hold up appends. That is safe
/// because every state change (append, high watermark) happens in a synchronous stretch of one turn.
/// On a single broker the high watermark is the end of what has been acknowledged: flushed, for topics
/// that flush before acknowledging.
/// </summary>
[Reentrant]
public sealed partial class PartitionGrain(LogManager logs, ILogger<PartitionGrain> logger) : Grain, IPartitionGrain
{
    private TopicPartition _id;
    private TopicDescription? _topic;
    private Log? _log;
    private long _highWatermark;
    private TaskCompletionSource _highWatermarkMoved = NewSignal();
    private readonly ProducerStateTable _producers = new();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _id = TopicPartition.ParseGrainKey(this.GetPrimaryKeyString());
        Attach(await GrainFactory.GetGrain<ITopicGrain>(_id.Topic).TryGetMetadata());
    }

    public async Task<ProduceResponse> Produce(ProduceRequest request)
    {
        if (!Acks.IsValid(request.Acks))
        {
            return ProduceResponse.Failed(new OrleansLogException(ErrorCode.InvalidRequiredAcks, $"acks={request.Acks} is invalid: use 0, 1 or -1 (all)."));
        }

        var log = await RequireLog();
        if (log is null)
        {
            return ProduceResponse.Failed(UnknownPartition());
        }

        try
        {
            if (request.Records.Length >= RecordBatchLayout.HeaderSize && RecordBatchHeader.Read(request.Records.Span) is { HasProducerId: true } batch)
            {
                return await ProduceIdempotent(log, request.Records, batch);
            }

            return await Acknowledge(log, log.Append(request.Records));
        }
        catch (OrleansLogException e)
        {
            if (e.Code == ErrorCode.KafkaStorageError)
            {
                LogStorageFailed(e, _id.DirectoryName);
            }

            return ProduceResponse.Failed(e, log.LogStartOffset);
        }
    }

    /// <summary>
    /// A batch from an idempotent producer: checked against the producer's state and recorded in the
    /// same synchronous stretch as the append, so interleaved produces see each other's sequences.
    /// </summary>
    private async Task<ProduceResponse> ProduceIdempotent(Log log, ReadOnlyMemory<byte> records, RecordBatchHeader batch)
    {
        if (batch.SizeInBytes != records.Length)
        {
            return ProduceResponse.Failed(new OrleansLogException(ErrorCode.InvalidRecord, "A produce from an idempotent producer must carry exactly one record batch."), log.LogStartOffset);
        }

        var check = _producers.Check(batch);
        switch (check.Verdict)
        {
            case ProducerBatchVerdict.Refuse:
                return ProduceResponse.Failed(new OrleansLogException(check.Error, check.Message!), log.LogStartOffset);
            case ProducerBatchVerdict.Duplicate:
                // The first attempt may still be waiting for its flush: answer when it is acknowledged.
                await log.FlushIfDueAsync(check.LastOffset + 1);
                AdvanceHighWatermark(Math.Min(check.LastOffset + 1, log.LogEndOffset));
                LogDuplicate(_id.DirectoryName, batch.ProducerId, batch.BaseSequence, check.FirstOffset);
                return new ProduceResponse(ErrorCode.None, check.FirstOffset, log.LogStartOffset);
        }

        var info = log.Append(records);
        _producers.Record(batch with { BaseOffset = info.FirstOffset });
        return await Acknowledge(log, info);
    }

    /// <summary>Answers an append once it may be acknowledged: durable if the topic flushes first, then below the high watermark.</summary>
    private async Task<ProduceResponse> Acknowledge(Log log, LogAppendInfo info)
    {
        await log.FlushIfDueAsync(info.NextOffset);
        AdvanceHighWatermark(info.NextOffset);
        LogAppended(_id.DirectoryName, info.FirstOffset, info.LastOffset);
        return new ProduceResponse(ErrorCode.None, info.FirstOffset, log.LogStartOffset);
    }

    public async Task<FetchResponse> Fetch(FetchRequest request)
    {
        var log = await RequireLog();
        if (log is null)
        {
            return Failed(UnknownPartition(), -1, -1);
        }

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
            if (_log is null)
            {
                return Failed(UnknownPartition(), -1, -1);
            }
        }
    }

    public async Task<long> ListOffset(long timestamp)
    {
        var log = await RequireLog() ?? throw UnknownPartition();
        return timestamp switch
        {
            ListOffsetsSpec.Earliest => log.LogStartOffset,
            ListOffsetsSpec.Latest => _highWatermark,
            < 0 => throw new OrleansLogException(ErrorCode.InvalidRequest, $"Timestamp {timestamp} is not a time, -1 (latest) or -2 (earliest)."),
            _ => log.OffsetForTimestamp(timestamp) is { } offset && offset < _highWatermark ? offset : -1,
        };
    }

    public async Task<PartitionState> GetState()
    {
        var log = await RequireLog() ?? throw UnknownPartition();
        return new PartitionState(_id.Partition, log.LogStartOffset, log.LogEndOffset, _highWatermark, log.SizeInBytes, log.SegmentCount);
    }

    public Task RunRetention()
    {
        if (_log is { } log)
        {
            var result = log.ApplyRetention();
            if (result.DeletedSegments > 0)
            {
                LogRetention(_id.DirectoryName, result.DeletedSegments, result.DeletedBytes, result.LogStartOffset);
            }
        }

        return Task.CompletedTask;
    }

    public Task Refresh(TopicDescription topic)
    {
        if (_log is null || _topic?.TopicId != topic.TopicId)
        {
            Attach(topic);
        }
        else
        {
            _topic = topic;
            _log.UpdateConfig(topic.Config.ToLogConfig());
        }

        return Task.CompletedTask;
    }

    public Task Delete()
    {
        _log = null;
        _topic = null;
        logs.Delete(_id);
        _highWatermarkMoved.TrySetResult();
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    private void Attach(TopicDescription? topic)
    {
        if (topic is null || _id.Partition >= topic.PartitionCount)
        {
            return;
        }

        // The log may already be open from an earlier activation, with the config it had then.
        var config = topic.Config.ToLogConfig();
        _topic = topic;
        _log = logs.GetOrOpen(_id, topic.TopicId, config);
        _log.UpdateConfig(config);
        _highWatermark = Math.Max(_highWatermark, _log.FlushedOffset);
        ProducerStateLoader.Load(_log, _producers);
    }

    /// <summary>The log, looking the topic up again if it was unknown (it may have been created or grown since activation).</summary>
    private async ValueTask<Log?> RequireLog()
    {
        if (_log is null)
        {
            Attach(await GrainFactory.GetGrain<ITopicGrain>(_id.Topic).TryGetMetadata());
        }

        return _log;
    }

    private void AdvanceHighWatermark(long offset)
    {
        if (offset > _highWatermark)
        {
            _highWatermark = offset;
            var moved = _highWatermarkMoved;
            _highWatermarkMoved = NewSignal();
            moved.TrySetResult();
        }
    }

    private OrleansLogException UnknownPartition() =>
        new(ErrorCode.UnknownTopicOrPartition, $"Partition {_id.Partition} of topic \"{_id.Topic}\" does not exist.");

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
}
