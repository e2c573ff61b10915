using System.Buffers;
using OrleansLog.Client.Internal;
using OrleansLog.Partitions;
using OrleansLog.Producers;
using OrleansLog.Records;

namespace OrleansLog.Client.Producing;

/// <summary>
/// The producer's side that talks to the brokers (Kafka's Sender): one loop takes each partition's oldest
/// sendable batch from the <see cref="RecordAccumulator"/>, stamps it with the producer id, epoch and the
/// partition's next sequence number (idempotence), builds it and calls the partition's leader; each batch
/// is retried on retriable errors until <c>delivery.timeout.ms</c>, so a retried batch the broker already
/// has is answered with its first offsets rather than appended twice. An attempt whose leader moved, or
/// whose gateway was lost, is given up early (<see cref="AwaitAttemptAsync"/>).
/// <para>Thread-safe: one loop, and one send task per partition at a time (the accumulator keeps at most
/// one batch per partition in flight).</para>
/// </summary>
internal sealed class ProducerSender
{
    /// <summary>How long an attempt waits before checking whether its partition's leader moved (see <see cref="AwaitAttemptAsync"/>).</summary>
    private static readonly TimeSpan LeaderCheckInterval = TimeSpan.FromMilliseconds(500);

    private readonly IGrainFactory _grains;
    private readonly ProducerConfig _config;
    private readonly TimeProvider _time;
    private readonly RecordAccumulator _accumulator;
    private readonly TopicMetadataCache _metadata;

    /// <summary>Null inside a silo, or for a client registered without <c>AddOrleansLogClient</c>'s gateways.</summary>
    private readonly GatewayLossWatch? _gateways;

    /// <summary>Null unless the producer is transactional.</summary>
    private readonly TransactionManager? _transactions;
    private readonly Task _loop;
    private ProducerIdentity? _identity;
    private volatile bool _identityStale;
    private int _inFlight;

    public ProducerSender(IGrainFactory grains, ProducerConfig config, TimeProvider time, RecordAccumulator accumulator, TopicMetadataCache metadata, GatewayLossWatch? gateways, TransactionManager? transactions = null)
    {
        _transactions = transactions;
        _grains = grains;
        _config = config;
        _time = time;
        _accumulator = accumulator;
        _metadata = metadata;
        _gateways = gateways;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Completes once the accumulator is closed and every batch in flight is answered.</summary>
    public Task Stopped => _loop;

    private async Task RunAsync()
    {
        while (!_accumulator.IsClosed || Volatile.Read(ref _inFlight) > 0)
        {
            var wait = Timeout.InfiniteTimeSpan;
            foreach (var queue in _accumulator.Queues)
            {
                var batch = _accumulator.TakeSendable(queue, ref wait);
                if (batch is null)
                {
                    continue;
                }

                if (_config.IdempotenceEnabled && !await EnsureIdentityAsync().ConfigureAwait(false))
                {
                    RecordAccumulator.Requeue(queue, batch);
                    wait = _config.RetryBackoff;
                    continue;
                }

                Interlocked.Increment(ref _inFlight);
                _ = SendAsync(queue, batch);
            }

            await _accumulator.Wake.WaitAsync(wait, _time, CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>Gets a producer id the first time, and a fresh one after a batch failed for good (its sequence numbers are spent).</summary>
    private async ValueTask<bool> EnsureIdentityAsync()
    {
        if (_transactions is not null)
        {
            // A transactional producer's identity is its coordinator's; a new epoch (InitTransactions again) restarts sequences.
            var current = _transactions.Identity;
            if (current is null)
            {
                return false;
            }

            if (current != _identity)
            {
                _identity = current;
                _accumulator.ResetSequences();
            }

            return true;
        }

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
        _accumulator.ResetSequences();
        return true;
    }

    private async Task SendAsync(PartitionQueue queue, OpenBatch batch)
    {
        var count = batch.Deliveries.Count;

        // The request carries the builder's own bytes (no copy): the builder goes back to the pool once no call can
        // read them any more, and never when an attempt was abandoned while it may still be sending them.
        var builderInUse = false;
        try
        {
            if (_transactions is not null)
            {
                // Before a transaction's first batch to a partition, the coordinator must have the partition in it.
                await _transactions.EnsureAddedAsync(queue.Partition).ConfigureAwait(false);
                batch.Builder.IsTransactional = true;
            }

            if (_config.IdempotenceEnabled && _identity is { } identity)
            {
                batch.Builder.ProducerId = identity.ProducerId;
                batch.Builder.ProducerEpoch = identity.Epoch;
                batch.Builder.BaseSequence = RecordAccumulator.NextSequence(queue, count);
            }

            batch.Builder.Compression = _config.Compression;
            var request = new ProduceRequest(batch.Builder.Build(), _config.Acks, (int)_config.RequestTimeout.TotalMilliseconds, _transactions?.TransactionalId);
            builderInUse = true;
            var (error, message, baseOffset, abandoned) = await SendWithRetriesAsync(queue.Partition, request, batch.CreatedAt).ConfigureAwait(false);
            if (!abandoned)
            {
                builderInUse = false;
            }

            _accumulator.Completed(queue);
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

                _transactions?.BatchFailed($"a batch to {queue.Partition} failed: {message}");
                batch.Fail(queue.Partition, error, message!);
            }
        }
        catch (Exception e)
        {
            _accumulator.Completed(queue);
            _transactions?.BatchFailed($"a batch to {queue.Partition} failed: {e.Message}");
            batch.Fail(queue.Partition, e is OrleansLogException known ? known.Code : ErrorCode.UnknownServerError, e.Message);
        }
        finally
        {
            if (!builderInUse)
            {
                _accumulator.ReturnBuilder(batch.Builder);
            }

            Interlocked.Decrement(ref _inFlight);
            _accumulator.Release(batch);
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
                _metadata.Invalidate(partition.Topic);
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
        var epoch = LeaderEpochOf(_metadata.TryGetCached(partition.Topic), partition.Partition);
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
            // would wait out Orleans' response timeout. The next round asks again (by then it has moved). Every
            // attempt waiting on this topic shares one lookup up to half a round old.
            var lookup = _metadata.FetchAsync(partition.Topic, LeaderCheckInterval / 2).AsTask();
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
}
