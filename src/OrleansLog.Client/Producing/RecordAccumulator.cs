using System.Collections.Concurrent;
using OrleansLog.Client.Internal;
using OrleansLog.Client.Partitioning;
using OrleansLog.Partitions;
using OrleansLog.Records;
using OrleansLog.Records.Buffers;

namespace OrleansLog.Client.Producing;

/// <summary>
/// The producer's side that callers write to (Kafka's RecordAccumulator): one <see cref="PartitionQueue"/>
/// of open batches per partition, each batch built in a pooled <see cref="RecordBatchBuilder"/>. It
/// decides when a batch may go (full, lingered, flushed or closing) and wakes the
/// <see cref="ProducerSender"/> through <see cref="Wake"/>; the sender takes batches with
/// <see cref="TakeSendable"/> and hands them back with <see cref="Completed"/> or <see cref="Requeue"/>.
/// It owns the producer's <see cref="ByteBudget"/> (<c>buffer.memory</c>): a batch's bytes go back when it is done, delivered,
/// failed or expired. Thread-safe: each queue is guarded by locking it; the queue list is replaced whole.
/// </summary>
internal sealed class RecordAccumulator(ProducerConfig config, TimeProvider time)
{
    private readonly ConcurrentDictionary<TopicPartition, PartitionQueue> _queues = new();
    private readonly ConcurrentBag<RecordBatchBuilder> _builders = [];
    private readonly ConcurrentDictionary<string, StickyPartition> _sticky = new(StringComparer.Ordinal);
    private PartitionQueue[] _queueList = [];
    private volatile bool _closed;

    /// <summary>The producer's byte budget (<c>buffer.memory</c>).</summary>
    public ByteBudget Memory { get; } = new(config.BufferMemory);

    /// <summary>Set when a batch may have become sendable, or one finished.</summary>
    public WakeSignal Wake { get; } = new();

    /// <summary>Every partition's queue, in the order they were first written to.</summary>
    public IReadOnlyList<PartitionQueue> Queues => Volatile.Read(ref _queueList);

    /// <summary>Closed for new records: the sender then sends what remains without waiting for linger.</summary>
    public bool IsClosed => _closed;

    /// <summary>The partition for a record without a key (see <see cref="StickyPartition"/>).</summary>
    public int StickyPartitionFor(string topic, int partitionCount) =>
        _sticky.GetOrAdd(topic, static _ => new StickyPartition()).Current(partitionCount);

    /// <summary>Queues one record (its bytes already reserved from the producer's buffer memory).</summary>
    public void Append(TopicPartition partition, long timestamp, ReadOnlySpan<byte> key, bool hasKey, ReadOnlySpan<byte> value, bool hasValue, ReadOnlySpan<RecordHeader> headers, int reservedBytes, IDeliveryHandle handle)
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        var queue = _queues.GetOrAdd(partition, AddQueue);
        bool wake;
        bool full;
        lock (queue)
        {
            var batch = queue.Last;
            if (batch is null || (batch.Builder.RecordCount > 0 && batch.Builder.UncompressedSizeInBytes + reservedBytes > config.MaxRequestSize))
            {
                batch = new OpenBatch(RentBuilder(), time.GetTimestamp());
                queue.Batches.Enqueue(batch);
                queue.Last = batch;
            }

            batch.Builder.Add(timestamp, key, hasKey, value, hasValue, headers);
            batch.Deliveries.Add((handle, timestamp));
            batch.ReservedBytes += reservedBytes;
            var wasFull = batch.Full;

            // Full as Kafka means it: another record like this one would not fit in batch.size.
            batch.Full = batch.Builder.UncompressedSizeInBytes + reservedBytes > config.BatchSize;
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
            Wake.Set();
        }
    }

    /// <summary>Marks every queued batch to go now; completes when each queued or in-flight batch is done.</summary>
    public Task FlushAsync(CancellationToken cancellationToken = default)
    {
        var pending = new List<Task>();
        foreach (var queue in Queues)
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

        Wake.Set();
        return Task.WhenAll(pending).WaitAsync(cancellationToken);
    }

    /// <summary>Records queued or in flight.</summary>
    public int PendingRecords
    {
        get
        {
            var count = 0;
            foreach (var queue in Queues)
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

    /// <summary>
    /// Takes the queue's oldest batch if it may be sent now (at most one per partition is in flight);
    /// otherwise shortens <paramref name="wait"/> to its linger deadline. A batch past
    /// <c>delivery.timeout.ms</c> is failed here instead.
    /// </summary>
    public OpenBatch? TakeSendable(PartitionQueue queue, ref TimeSpan wait)
    {
        lock (queue)
        {
            if (queue.InFlightBatch is not null || !queue.Batches.TryPeek(out var batch))
            {
                return null;
            }

            var age = time.GetElapsedTime(batch.CreatedAt);
            if (age >= config.DeliveryTimeout)
            {
                queue.TakeOldest();
                Finish(queue.Partition, batch, ErrorCode.RequestTimedOut, $"Not delivered within delivery.timeout.ms ({config.DeliveryTimeout.TotalMilliseconds} ms).");
                return null;
            }

            var sendable = batch.SendNow || _closed || queue.Batches.Count > 1 || batch.Full || age >= config.Linger;
            if (!sendable)
            {
                var untilLinger = config.Linger - age;
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

    /// <summary>Puts a taken batch back at the head of its queue (it could not be sent yet).</summary>
    public static void Requeue(PartitionQueue queue, OpenBatch batch)
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

    /// <summary>The in-flight batch of <paramref name="queue"/> was answered (or given up); the next may go.</summary>
    public void Completed(PartitionQueue queue)
    {
        lock (queue)
        {
            queue.InFlightBatch = null;
        }

        Wake.Set();
    }

    /// <summary>A batch is done for good: its bytes go back to the budget and whoever flushes stops waiting for it.</summary>
    public void Release(OpenBatch batch)
    {
        Memory.Release(batch.ReservedBytes);
        batch.Done.TrySetResult();
        Wake.Set();
    }

    /// <summary>Reserves <paramref name="count"/> sequence numbers of the partition and returns the first.</summary>
    public static int NextSequence(PartitionQueue queue, int count)
    {
        lock (queue)
        {
            var first = queue.NextSequence;
            queue.NextSequence = RecordBatchHeader.AddSequence(first, count);
            return first;
        }
    }

    /// <summary>A new producer id starts every partition's sequence at 0.</summary>
    public void ResetSequences()
    {
        foreach (var queue in Queues)
        {
            lock (queue)
            {
                queue.NextSequence = 0;
            }
        }
    }

    /// <summary>The builder of a batch that was built and sent goes back to the pool.</summary>
    public void ReturnBuilder(RecordBatchBuilder builder)
    {
        builder.Reset();
        _builders.Add(builder);
    }

    /// <summary>Refuses new records from now on.</summary>
    public void Close()
    {
        _closed = true;
        Wake.Set();
    }

    /// <summary>After the sender stopped: fails what is still queued and releases the pooled builders.</summary>
    public void FailQueuedAndRelease(string message)
    {
        foreach (var queue in Queues)
        {
            lock (queue)
            {
                while (queue.Batches.TryDequeue(out var batch))
                {
                    Finish(queue.Partition, batch, ErrorCode.RequestTimedOut, message);
                }
            }
        }

        while (_builders.TryTake(out var builder))
        {
            builder.Dispose();
        }
    }

    /// <summary>Fails a batch that never went out, and releases it.</summary>
    private void Finish(TopicPartition partition, OpenBatch batch, ErrorCode error, string message)
    {
        batch.Fail(partition, error, message);
        ReturnBuilder(batch.Builder);
        Release(batch);
    }

    private RecordBatchBuilder RentBuilder() => _builders.TryTake(out var builder) ? builder : new RecordBatchBuilder(config.Compression, config.BatchSize);

    private PartitionQueue AddQueue(TopicPartition partition)
    {
        var queue = new PartitionQueue(partition);
        lock (_queues)
        {
            _queueList = [.. _queueList, queue];
        }

        return queue;
    }
}
