using System.Buffers;
using System.Collections.Concurrent;
using OrleansLog.Client.Internal;
using OrleansLog.Partitions;
using OrleansLog.Producers;
using OrleansLog.Records;

namespace OrleansLog.Client.Producing;

/// <summary>
/// The untyped heart of a producer: per-partition queues of open batches, and one sender loop (like
/// Kafka's Sender thread) that sends a partition's oldest batch when it is full, has lingered, or a
/// flush asks, then retries it on retriable errors until <c>delivery.timeout.ms</c>. With idempotence
/// each batch carries the producer id, epoch and the partition's next sequence number, so a retried
/// batch the broker already has is answered with its first offsets, not appended twice. Thread-safe.
/// </summary>
internal sealed class ProducerEngine : IAsyncDisposable
{
    /// <summary>How long an attempt waits before checking whether its partition's leader moved (see <see cref="AwaitAttemptAsync"/>).</summary>
    private static readonly TimeSpan LeaderCheckInterval = TimeSpan.FromMilliseconds(500);

    private readonly IGrainFactory _grains;
    private readonly ProducerConfig _config;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<TopicPartition, PartitionQueue> _queues = new();
    private readonly ConcurrentBag<RecordBatchBuilder> _builders = [];
    private readonly ConcurrentDictionary<string, StickyPartition> _sticky = new(StringComparer.Ordinal);
    private readonly WakeSignal _wake = new();
    private readonly Task _sender;
    private PartitionQueue[] _queueList = [];
    private ProducerIdentity? _identity;
    private volatile bool _identityStale;
    private volatile bool _stopping;
    private int _inFlight;

    /// <summary>Null inside a silo, or for a client registered without <c>AddOrleansLogClient</c>'s gateways.</summary>
    private readonly GatewayLossWatch? _gateways;

    public ProducerEngine(IGrainFactory grains, ProducerConfig config, TimeProvider time, GatewayLossWatch? gateways = null)
    {
        _grains = grains;
        _config = config;
        _time = time;
        Memory = new BufferMemory(config.BufferMemory);
        Metadata = new TopicMetadataCache(grains, config.MetadataMaxAge, time, config.MaxBlock);
        _gateways = gateways;
        _sender = Task.Run(RunSenderAsync);
    }

    public BufferMemory Memory { get; }

    public TopicMetadataCache Metadata { get; }

    public ProducerConfig Config => _config;

    /// <summary>The partition for a record without a key: one partition per topic until its batch is full, then another (Kafka's sticky partitioner).</summary>
    public int StickyPartitionFor(string topic, int partitionCount) =>
        _sticky.GetOrAdd(topic, static _ => new StickyPartition()).Current(partitionCount);

    /// <summary>Queues one record (its bytes already reserved from <see cref="Memory"/>).</summary>
    public void Append(TopicPartition partition, long timestamp, ReadOnlySpan<byte> key, bool hasKey, ReadOnlySpan<byte> value, bool hasValue, ReadOnlySpan<RecordHeader> headers, int reservedBytes, IDeliveryHandle handle)
    {
        ObjectDisposedException.ThrowIf(_stopping, this);
        var queue = _queues.GetOrAdd(partition, AddQueue);
        bool wake;
        bool full;
        lock (queue)
        {
            var batch = queue.Last;
            if (batch is null || (batch.Builder.RecordCount > 0 && batch.Builder.UncompressedSizeInBytes + reservedBytes > _config.MaxRequestSize))
            {
                batch = new OpenBatch(RentBuilder(), _time.GetTimestamp());
                queue.Batches.Enqueue(batch);
                queue.Last = batch;
            }

            batch.Builder.Add(timestamp, key, hasKey, value, hasValue, headers);
            batch.Deliveries.Add((handle, timestamp));
            batch.ReservedBytes += reservedBytes;
            var wasFull = batch.Full;

            // Full as Kafka means it: another record like this one would not fit in batch.size.
            batch.Full = batch.Builder.UncompressedSizeInBytes + reservedBytes > _config.BatchSize;
            full = batch.Full && !wasFull;

            // Wake the sender for a first record (to time its linger) or a batch that just became sendable.
            wake = batch.Deliveries.Count == 1 || (queue.InFlightBatch is null && full);
        }

        if (full && _sticky.TryGetValue(partition.Topic, out var sticky))
        {
            sticky.BatchFull(partition.Partition);
        }

        if (wake)
        {
            _wake.Set();
        }
    }

    /// <summary>Completes when every record queued before the call is delivered or failed.</summary>
    public Task FlushAsync(CancellationToken cancellationToken = default)
    {
        var pending = new List<Task>();
        foreach (var queue in _queueList)
        {
            lock (queue)
            {
                foreach (var batch in queue.Batches)
                {
                    batch.SendNow = true;
                    pending.Add(batch.Done.Task);
                }

                if (queue.InFlightBatch is { } inFlight)
                {
                    pending.Add(inFlight.Done.Task);
                }
            }
        }

        _wake.Set();
        return Task.WhenAll(pending).WaitAsync(cancellationToken);
    }

    /// <summary>Records queued or in flight.</summary>
    public int PendingRecords
    {
        get
        {
            var count = 0;
            foreach (var queue in _queueList)
            {
                lock (queue)
                {
                    foreach (var batch in queue.Batches)
                    {
                        count += batch.Deliveries.Count;
                    }

                    count += queue.InFlightBatch?.Deliveries.Count ?? 0;
                }
            }

            return count;
        }
    }

    /// <summary>Delivers what is queued (up to the delivery timeout), then stops the sender; later records are refused.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stopping)
        {
            return;
        }

        try
        {
            await FlushAsync().WaitAsync(_config.DeliveryTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }

        _stopping = true;
        _wake.Set();
        await _sender.ConfigureAwait(false);
        foreach (var queue in _queueList)
        {
            lock (queue)
            {
                while (queue.Batches.TryDequeue(out var batch))
                {
                    Fail(queue.Partition, batch, ErrorCode.RequestTimedOut, "The producer was closed before this record was delivered.");
                }
            }
        }

        while (_builders.TryTake(out var builder))
        {
            builder.Dispose();
        }
    }

    private PartitionQueue AddQueue(TopicPartition partition)
    {
        var queue = new PartitionQueue(partition);
        lock (_queues)
        {
            _queueList = [.. _queueList, queue];
        }

        return queue;
    }

    private async Task RunSenderAsync()
    {
        while (!_stopping || Volatile.Read(ref _inFlight) > 0)
        {
            var wait = Timeout.InfiniteTimeSpan;
            foreach (var queue in _queueList)
            {
                var batch = TakeSendable(queue, ref wait);
                if (batch is null)
                {
                    continue;
                }

                if (_config.IdempotenceEnabled && !await EnsureIdentityAsync().ConfigureAwait(false))
                {
                    Requeue(queue, batch);
                    wait = _config.RetryBackoff;
                    continue;
                }

                Interlocked.Increment(ref _inFlight);
                _ = SendAsync(queue, batch);
            }

            await _wake.WaitAsync(wait, CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>Takes the queue's oldest batch if it may be sent now; otherwise shortens <paramref name="wait"/> to its linger deadline.</summary>
    private OpenBatch? TakeSendable(PartitionQueue queue, ref TimeSpan wait)
    {
        lock (queue)
        {
            if (queue.InFlightBatch is not null || !queue.Batches.TryPeek(out var batch))
            {
                return null;
            }

            var age = _time.GetElapsedTime(batch.CreatedAt);
            if (age >= _config.DeliveryTimeout)
            {
                queue.TakeOldest();
                Fail(queue.Partition, batch, ErrorCode.RequestTimedOut, $"Not delivered within delivery.timeout.ms ({_config.DeliveryTimeout.TotalMilliseconds} ms).");
                return null;
            }

            var sendable = batch.SendNow || _stopping || queue.Batches.Count > 1
                || batch.Full || age >= _config.Linger;
            if (!sendable)
            {
                var untilLinger = _config.Linger - age;
                if (wait == Timeout.InfiniteTimeSpan || untilLinger < wait)
                {
                    wait = untilLinger;
                }

                return null;
            }

            queue.TakeOldest();

            queue.InFlightBatch = batch;
            return batch;
        }
    }

    private static void Requeue(PartitionQueue queue, OpenBatch batch)
    {
        lock (queue)
        {
            var rest = queue.Batches.ToArray();
            queue.Batches.Clear();
            queue.Batches.Enqueue(batch);
            foreach (var other in rest)
            {
                queue.Batches.Enqueue(other);
            }

            queue.Last ??= batch;
            queue.InFlightBatch = null;
        }
    }

    /// <summary>Gets a producer id the first time, and a fresh one after a batch failed for good (its sequence numbers are spent).</summary>
    private async ValueTask<bool> EnsureIdentityAsync()
    {
        if (_identity is not null && !_identityStale)
        {
            return true;
        }

        try
        {
            _identity = await _grains.GetGrain<IProducerIdGrain>(IProducerIdGrain.ClusterKey).InitProducerId().ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OrleansLogException { Code: var code } || code.IsRetriable())
        {
            return false;
        }

        _identityStale = false;
        foreach (var queue in _queueList)
        {
            lock (queue)
            {
                queue.NextSequence = 0;
            }
        }

        return true;
    }

    private async Task SendAsync(PartitionQueue queue, OpenBatch batch)
    {
        var count = batch.Deliveries.Count;
        byte[]? rented = null;
        try
        {
            if (_config.IdempotenceEnabled && _identity is { } identity)
            {
                batch.Builder.ProducerId = identity.ProducerId;
                batch.Builder.ProducerEpoch = identity.Epoch;
                lock (queue)
                {
                    batch.Builder.BaseSequence = queue.NextSequence;
                    queue.NextSequence = RecordBatchHeader.AddSequence(queue.NextSequence, count);
                }
            }

            batch.Builder.Compression = _config.Compression;
            var built = batch.Builder.Build();
            rented = ArrayPool<byte>.Shared.Rent(built.Length);
            built.Span.CopyTo(rented);
            var request = new ProduceRequest(rented.AsMemory(0, built.Length), _config.Acks, (int)_config.RequestTimeout.TotalMilliseconds);
            ReturnBuilder(batch.Builder);

            var (error, message, baseOffset, abandoned) = await SendWithRetriesAsync(queue.Partition, request, batch.CreatedAt).ConfigureAwait(false);
            if (abandoned)
            {
                // A call we stopped waiting for may still read the bytes: leave the array to the GC.
                rented = null;
            }

            lock (queue)
            {
                queue.InFlightBatch = null;
            }

            _wake.Set();
            if (error == ErrorCode.None)
            {
                for (var i = 0; i < count; i++)
                {
                    var (handle, timestamp) = batch.Deliveries[i];
                    handle.Complete(queue.Partition, baseOffset < 0 ? -1 : baseOffset + i, timestamp);
                }
            }
            else
            {
                if (_config.IdempotenceEnabled)
                {
                    _identityStale = true;
                }

                Fail(queue.Partition, batch, error, message!);
            }
        }
        catch (Exception e)
        {
            lock (queue)
            {
                queue.InFlightBatch = null;
            }

            Fail(queue.Partition, batch, e is OrleansLogException known ? known.Code : ErrorCode.UnknownServerError, e.Message);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }

            Memory.Release(batch.ReservedBytes);
            batch.Done.TrySetResult();
            Interlocked.Decrement(ref _inFlight);
            _wake.Set();
        }
    }

    /// <summary>
    /// Sends until success, a non-retriable error, or the delivery timeout. Each attempt waits at most
    /// <c>request.timeout.ms</c> (and never past the delivery timeout); <c>Abandoned</c> says some attempt
    /// was given up while still running.
    /// </summary>
    private async Task<(ErrorCode Error, string? Message, long BaseOffset, bool Abandoned)> SendWithRetriesAsync(TopicPartition partition, ProduceRequest request, long createdAt)
    {
        var grain = _grains.GetPartitionGrain(partition.Topic, partition.Partition);
        if (request.Acks == Partitions.Acks.None)
        {
            // Nobody waits for acks=0: the records count as delivered once sent, without offsets or retries.
            _ = grain.Produce(request).ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
            return (ErrorCode.None, null, -1, true);
        }

        var abandoned = false;
        for (var attempt = 0; ; attempt++)
        {
            ErrorCode error;
            string message;
            var remaining = _config.DeliveryTimeout - _time.GetElapsedTime(createdAt);
            try
            {
                var wait = remaining < _config.RequestTimeout ? remaining : _config.RequestTimeout;
                var response = await AwaitAttemptAsync(grain.Produce(request), partition, wait > TimeSpan.Zero ? wait : TimeSpan.Zero).ConfigureAwait(false);
                if (response.Error == ErrorCode.None)
                {
                    return (ErrorCode.None, null, response.BaseOffset, abandoned);
                }

                (error, message) = (response.Error, response.ErrorMessage ?? response.Error.KafkaName());
            }
            catch (LeaderMovedException e)
            {
                abandoned = true;
                (error, message) = (ErrorCode.NotLeaderOrFollower, e.Message);
            }
            catch (OrleansLogException e)
            {
                (error, message) = (e.Code, e.Message);
            }
            catch (TimeoutException)
            {
                abandoned = true;
                (error, message) = (ErrorCode.RequestTimedOut, $"No answer within {Math.Min(remaining.TotalMilliseconds, _config.RequestTimeout.TotalMilliseconds):0} ms (request.timeout.ms {_config.RequestTimeout.TotalMilliseconds:0}, delivery.timeout.ms {_config.DeliveryTimeout.TotalMilliseconds:0}).");
            }
            catch (Exception e)
            {
                // The broker could not be reached or did not answer in time: the batch may or may not be
                // in the log, which is exactly what idempotence makes safe to retry.
                (error, message) = (ErrorCode.NetworkException, e.Message);
            }

            if (!error.IsRetriable() || attempt >= _config.Retries
                || _time.GetElapsedTime(createdAt) + _config.RetryBackoff >= _config.DeliveryTimeout)
            {
                return (error, message, -1, abandoned);
            }

            if (error == ErrorCode.UnknownTopicOrPartition)
            {
                Metadata.Invalidate(partition.Topic);
            }

            await Task.Delay(_config.RetryBackoff, _time).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Waits for one attempt up to <paramref name="wait"/>. An attempt still unanswered after
    /// <see cref="LeaderCheckInterval"/> may have gone to a leader that died with its silo: nobody tells an
    /// Orleans client that, so it asks whether the partition's leader epoch moved since the send, and if so
    /// gives the attempt up at once (idempotence makes the retry safe; producers without it wait out the
    /// timeout as before).
    /// </summary>
    private async Task<ProduceResponse> AwaitAttemptAsync(Task<ProduceResponse> call, TopicPartition partition, TimeSpan wait)
    {
        var started = _time.GetTimestamp();
        // The system clock on purpose: it orders this send against a real socket loss (GatewayLossWatch), not against timeouts.
        var sentAt = TimeProvider.System.GetTimestamp();
        var epoch = LeaderEpochOf(Metadata.TryGetCached(partition.Topic), partition.Partition);
        while (true)
        {
            var left = wait - _time.GetElapsedTime(started);
            if (left <= TimeSpan.Zero)
            {
                return await call.WaitAsync(TimeSpan.Zero, _time).ConfigureAwait(false);
            }

            // Without idempotence an early retry could write the batch twice: such a producer waits out the timeout.
            var slice = _config.IdempotenceEnabled && left > LeaderCheckInterval ? LeaderCheckInterval : left;
            await ((Task)call.WaitAsync(slice, _time)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (call.IsCompleted)
            {
                return await call.ConfigureAwait(false);
            }

            if (_gateways?.LostSince(sentAt) == true)
            {
                throw new LeaderMovedException($"A gateway connection was lost while the attempt to {partition} waited (it may have gone through it); retrying.");
            }

            // The lookup is bounded too: the topic grain may have lived on the silo that died, and a call to it
            // would wait out Orleans' response timeout. The next round asks again (by then it has moved).
            var lookup = Metadata.FetchAsync(partition.Topic).AsTask();
            await ((Task)lookup.WaitAsync(LeaderCheckInterval, _time)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (!lookup.IsCompletedSuccessfully)
            {
                continue;
            }

            var current = LeaderEpochOf(lookup.Result, partition.Partition);
            if (epoch >= 0 && current > epoch)
            {
                throw new LeaderMovedException($"{partition} has a new leader (epoch {current}, was {epoch}) while this attempt waited; retrying there.");
            }

            epoch = epoch < 0 ? current : epoch;
        }
    }

    private static int LeaderEpochOf(Metadata.TopicDescription? topic, int partition) =>
        topic is { Partitions.IsDefault: false } && partition < topic.Partitions.Length ? topic.Partitions[partition].LeaderEpoch : -1;

    /// <summary>An attempt given up because the partition's leader changed under it.</summary>
    private sealed class LeaderMovedException(string message) : Exception(message);

    private static void Fail(TopicPartition partition, OpenBatch batch, ErrorCode error, string message)
    {
        foreach (var (handle, timestamp) in batch.Deliveries)
        {
            handle.Fail(partition, timestamp, error, message);
        }
    }

    private RecordBatchBuilder RentBuilder() => _builders.TryTake(out var builder) ? builder : new RecordBatchBuilder(_config.Compression, _config.BatchSize);

    private void ReturnBuilder(RecordBatchBuilder builder)
    {
        builder.Reset();
        _builders.Add(builder);
    }

    /// <summary>The current sticky partition of one topic: kept until a batch for it fills, then another chosen at random.</summary>
    private sealed class StickyPartition
    {
        private readonly Lock _lock = new();
        private int _partition = -1;
        private int _partitionCount;

        public int Current(int partitionCount)
        {
            lock (_lock)
            {
                if (_partition < 0 || _partition >= partitionCount || _partitionCount != partitionCount)
                {
                    _partitionCount = partitionCount;
                    _partition = Random.Shared.Next(partitionCount);
                }

                return _partition;
            }
        }

        public void BatchFull(int partition)
        {
            lock (_lock)
            {
                if (partition == _partition && _partitionCount > 1)
                {
                    _partition = (_partition + 1 + Random.Shared.Next(_partitionCount - 1)) % _partitionCount;
                }
            }
        }
    }
}
