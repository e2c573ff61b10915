using OrleansLog.Client.Serialization;
using OrleansLog.Partitions;

namespace OrleansLog.Client.Consuming;

/// <summary>Builds a <see cref="Consumer{TKey, TValue}"/> over a grain factory, with deserializers and rebalance handlers.</summary>
public sealed class ConsumerBuilder<TKey, TValue>(IGrainFactory grains, ConsumerConfig? config = null)
{
    private readonly ConsumerRebalanceHandlers<TKey, TValue> _handlers = new();
    private IDeserializer<TKey>? _keyDeserializer = Deserializers.Default<TKey>();
    private IDeserializer<TValue>? _valueDeserializer = Deserializers.Default<TValue>();
    private TimeProvider _time = TimeProvider.System;

    public ConsumerBuilder<TKey, TValue> SetKeyDeserializer(IDeserializer<TKey> deserializer)
    {
        _keyDeserializer = deserializer;
        return this;
    }

    public ConsumerBuilder<TKey, TValue> SetValueDeserializer(IDeserializer<TValue> deserializer)
    {
        _valueDeserializer = deserializer;
        return this;
    }

    /// <summary>Called with newly assigned partitions, before records from them are returned.</summary>
    public ConsumerBuilder<TKey, TValue> SetPartitionsAssignedHandler(Action<Consumer<TKey, TValue>, IReadOnlyList<TopicPartition>> handler)
    {
        _handlers.Assigned = handler;
        return this;
    }

    /// <summary>Called before partitions go to another member: the last chance to commit them.</summary>
    public ConsumerBuilder<TKey, TValue> SetPartitionsRevokedHandler(Action<Consumer<TKey, TValue>, IReadOnlyList<TopicPartition>> handler)
    {
        _handlers.Revoked = handler;
        return this;
    }

    /// <summary>Called when the session expired and partitions were already given away: commits for them would be refused.</summary>
    public ConsumerBuilder<TKey, TValue> SetPartitionsLostHandler(Action<Consumer<TKey, TValue>, IReadOnlyList<TopicPartition>> handler)
    {
        _handlers.Lost = handler;
        return this;
    }

    public ConsumerBuilder<TKey, TValue> SetTimeProvider(TimeProvider time)
    {
        _time = time;
        return this;
    }

    public Consumer<TKey, TValue> Build() => new(
        grains,
        config ?? new ConsumerConfig(),
        _keyDeserializer ?? throw new InvalidOperationException($"No default deserializer for key type {typeof(TKey).Name}: call SetKeyDeserializer."),
        _valueDeserializer ?? throw new InvalidOperationException($"No default deserializer for value type {typeof(TValue).Name}: call SetValueDeserializer."),
        _handlers,
        _time);
}
