using System.Runtime.InteropServices;
using OrleansLog.Client.Serialization;
using OrleansLog.Metadata;
using OrleansLog.Partitions;
using OrleansLog.Records;
using OrleansLog.Records.Buffers;

namespace OrleansLog.Client.Producing;

/// <summary>
/// Produces records to topics, as Confluent.Kafka's <c>IProducer</c> does: <see cref="ProduceAsync(string, Message{TKey, TValue}, CancellationToken)"/>
/// answers with partition, offset and timestamp; <see cref="Produce(string, Message{TKey, TValue}, Action{DeliveryReport{TKey, TValue}}?)"/>
/// reports to a handler. Records are batched per partition (<c>linger.ms</c>, <c>batch.size</c>),
/// compressed, and held within <c>buffer.memory</c>: a produce that finds it full waits up to
/// <c>max.block.ms</c>. Keys pick partitions with Kafka's murmur2; null keys stick to one partition per
/// batch. Thread-safe; dispose to deliver what is queued.
/// </summary>
public sealed partial class Producer<TKey, TValue> : IDisposable, IAsyncDisposable
{
    /// <summary>Per record: attributes, timestamp and offset deltas, length prefixes (upper bound of the varints).</summary>
    private const int RecordOverhead = 1 + 10 + 5 + 5 + 5 + 5 + 5;

    [ThreadStatic]
    private static PooledBufferWriter? _threadKeyBuffer;

    [ThreadStatic]
    private static PooledBufferWriter? _threadValueBuffer;

    private readonly ProducerEngine _engine;
    private readonly ISerializer<TKey> _keySerializer;
    private readonly ISerializer<TValue> _valueSerializer;
    private readonly TimeProvider _time;

    internal Producer(IGrainFactory grains, ProducerConfig config, ISerializer<TKey> keySerializer, ISerializer<TValue> valueSerializer, TimeProvider time, Internal.GatewayLossWatch? gateways = null)
    {
        config.Validate();
        _keySerializer = keySerializer;
        _valueSerializer = valueSerializer;
        _time = time;
        _engine = new ProducerEngine(grains, config, time, gateways);
    }

    /// <summary>Bytes of records queued or in flight (never above <c>buffer.memory</c>).</summary>
    public long BufferedBytes => _engine.Memory.Used;

    /// <summary>Produces waiting for buffer.memory right now (tests observe backpressure through it).</summary>
    internal int BlockedProduces => _engine.Memory.Waiting;

    /// <summary>Records queued or in flight.</summary>
    public int PendingRecords => _engine.PendingRecords;

    /// <summary>Produces to the partition the key (or, for a null key, the sticky partitioner) picks.</summary>
    public Task<DeliveryResult<TKey, TValue>> ProduceAsync(string topic, Message<TKey, TValue> message, CancellationToken cancellationToken = default) =>
        ProduceCoreAsync(topic, -1, message, cancellationToken);

    /// <summary>Produces to one partition.</summary>
    public Task<DeliveryResult<TKey, TValue>> ProduceAsync(TopicPartition partition, Message<TKey, TValue> message, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(partition.Partition);
        return ProduceCoreAsync(partition.Topic, partition.Partition, message, cancellationToken);
    }

    /// <summary>Queues a record and returns; <paramref name="deliveryHandler"/> hears how it went. Blocks up to <c>max.block.ms</c> while the buffer is full.</summary>
    public void Produce(string topic, Message<TKey, TValue> message, Action<DeliveryReport<TKey, TValue>>? deliveryHandler = null) =>
        ProduceCore(topic, -1, message, deliveryHandler);

    public void Produce(TopicPartition partition, Message<TKey, TValue> message, Action<DeliveryReport<TKey, TValue>>? deliveryHandler = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(partition.Partition);
        ProduceCore(partition.Topic, partition.Partition, message, deliveryHandler);
    }

    /// <summary>Sends everything queued now, without waiting for the linger, and completes when all of it is delivered or failed.</summary>
    public Task FlushAsync(CancellationToken cancellationToken = default) => _engine.FlushAsync(cancellationToken);

    /// <summary>As <see cref="FlushAsync"/>, waiting at most <paramref name="timeout"/>; returns how many records are still pending.</summary>
    public int Flush(TimeSpan timeout)
    {
        try
        {
            _engine.FlushAsync().Wait(timeout);
        }
        catch (AggregateException)
        {
        }

        return _engine.PendingRecords;
    }

    public ValueTask DisposeAsync() => _engine.DisposeAsync();

    public void Dispose() => _engine.DisposeAsync().AsTask().GetAwaiter().GetResult();

    private async Task<DeliveryResult<TKey, TValue>> ProduceCoreAsync(string topic, int partition, Message<TKey, TValue> message, CancellationToken cancellationToken)
    {
        // Like Kafka's send(), the first record for a topic blocks the caller while its metadata is fetched:
        // awaiting it instead would let calls made in order reach their partition queues out of order.
        var description = _engine.Metadata.TryGetCached(topic) ?? _engine.Metadata.GetAsync(topic).AsTask().GetAwaiter().GetResult();
        var handle = new TaskDeliveryHandle<TKey, TValue>(message);
        var pending = Enqueue(description, partition, message, handle, cancellationToken);
        if (pending is not null)
        {
            await pending.ConfigureAwait(false);
        }

        return await handle.Task.ConfigureAwait(false);
    }

    private void ProduceCore(string topic, int partition, Message<TKey, TValue> message, Action<DeliveryReport<TKey, TValue>>? deliveryHandler)
    {
        var description = _engine.Metadata.TryGetCached(topic) ?? _engine.Metadata.GetAsync(topic).AsTask().GetAwaiter().GetResult();
        var handle = new HandlerDeliveryHandle<TKey, TValue>(message, deliveryHandler ?? (static _ => { }));
        Enqueue(description, partition, message, handle, CancellationToken.None)?.GetAwaiter().GetResult();
    }

    /// <summary>
    /// Serializes into per-thread buffers and queues the record; null when done synchronously (the fast
    /// path: buffer space was free), otherwise a task that waits for space with copies of the bytes.
    /// </summary>
    private Task? Enqueue(TopicDescription topic, int partition, Message<TKey, TValue> message, IDeliveryHandle handle, CancellationToken cancellationToken)
    {
        _engine.Transactions?.RequireInTransaction();
        var keyBuffer = _threadKeyBuffer ??= new PooledBufferWriter(256);
        var valueBuffer = _threadValueBuffer ??= new PooledBufferWriter(4096);
        keyBuffer.Clear();
        valueBuffer.Clear();
        var hasKey = _keySerializer.Serialize(message.Key, keyBuffer);
        var hasValue = _valueSerializer.Serialize(message.Value, valueBuffer);
        var headers = message.Headers is null ? default : CollectionsMarshal.AsSpan<RecordHeader>(message.Headers);
        var timestamp = message.Timestamp ?? _time.GetUtcNow().ToUnixTimeMilliseconds();

        var size = RecordOverhead + keyBuffer.WrittenCount + valueBuffer.WrittenCount + HeadersSize(headers);
        if (partition < 0)
        {
            partition = hasKey
                ? Client.Partitioning.Murmur2Partitioner.Partition(keyBuffer.WrittenSpan, topic.PartitionCount)
                : _engine.StickyPartitionFor(topic.Name, topic.PartitionCount);
        }

        var destination = new TopicPartition(topic.Name, partition);
        if (partition >= topic.PartitionCount)
        {
            throw Refused(ErrorCode.UnknownTopicOrPartition, $"Topic \"{topic.Name}\" has {topic.PartitionCount} partitions; there is no partition {partition}.", destination, message, timestamp);
        }

        if (size + RecordBatchLayout.HeaderSize > _engine.Config.MaxRequestSize)
        {
            throw Refused(ErrorCode.MessageTooLarge, $"The record is {size} bytes serialized, more than max.request.size ({_engine.Config.MaxRequestSize}).", destination, message, timestamp);
        }

        if (_engine.Memory.TryReserve(size))
        {
            _engine.Append(destination, timestamp, keyBuffer.WrittenSpan, hasKey, valueBuffer.WrittenSpan, hasValue, headers, size, handle);
            return null;
        }

        return WaitForBufferAsync(destination, timestamp, keyBuffer.WrittenSpan.ToArray(), hasKey, valueBuffer.WrittenSpan.ToArray(), hasValue, message, size, handle, cancellationToken);
    }

    private async Task WaitForBufferAsync(TopicPartition destination, long timestamp, byte[] key, bool hasKey, byte[] value, bool hasValue, Message<TKey, TValue> message, int size, IDeliveryHandle handle, CancellationToken cancellationToken)
    {
        if (!await _engine.Memory.ReserveAsync(size, _engine.Config.MaxBlock, cancellationToken).ConfigureAwait(false))
        {
            throw Refused(ErrorCode.RequestTimedOut, $"buffer.memory ({_engine.Config.BufferMemory} bytes) stayed full for max.block.ms ({_engine.Config.MaxBlock.TotalMilliseconds} ms): the broker is slower than this producer.", destination, message, timestamp);
        }

        var headers = message.Headers is null ? default : CollectionsMarshal.AsSpan<RecordHeader>(message.Headers);
        _engine.Append(destination, timestamp, key, hasKey, value, hasValue, headers, size, handle);
    }

    private static int HeadersSize(ReadOnlySpan<RecordHeader> headers)
    {
        var size = 0;
        foreach (var header in headers)
        {
            size += 10 + (header.Key.Length * 3) + (header.Value?.Length ?? 0);
        }

        return size;
    }

    private static ProduceException<TKey, TValue> Refused(ErrorCode code, string reason, TopicPartition destination, Message<TKey, TValue> message, long timestamp) =>
        new(code, reason, new DeliveryResult<TKey, TValue> { Topic = destination.Topic, Partition = destination.Partition, Offset = -1, Timestamp = timestamp, Message = message });
}
