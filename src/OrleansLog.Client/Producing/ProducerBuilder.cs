using OrleansLog.Client.Internal;
using OrleansLog.Client.Serialization;

namespace OrleansLog.Client.Producing;

/// <summary>Builds a <see cref="Producer{TKey, TValue}"/> over a grain factory (a cluster client, or a silo's own).</summary>
public sealed class ProducerBuilder<TKey, TValue>(IGrainFactory grains, ProducerConfig? config = null)
{
    private ISerializer<TKey>? _keySerializer = Serializers.Default<TKey>();
    private ISerializer<TValue>? _valueSerializer = Serializers.Default<TValue>();
    private TimeProvider _time = TimeProvider.System;

    /// <summary>The client's gateway watch, so attempts through a lost gateway are retried at once.</summary>
    internal GatewayLossWatch? Gateways { get; init; }

    public ProducerBuilder<TKey, TValue> SetKeySerializer(ISerializer<TKey> serializer)
    {
        _keySerializer = serializer;
        return this;
    }

    public ProducerBuilder<TKey, TValue> SetValueSerializer(ISerializer<TValue> serializer)
    {
        _valueSerializer = serializer;
        return this;
    }

    public ProducerBuilder<TKey, TValue> SetTimeProvider(TimeProvider time)
    {
        _time = time;
        return this;
    }

    public Producer<TKey, TValue> Build() => new(
        grains,
        config ?? new ProducerConfig(),
        _keySerializer ?? throw new InvalidOperationException($"No default serializer for key type {typeof(TKey).Name}: call SetKeySerializer."),
        _valueSerializer ?? throw new InvalidOperationException($"No default serializer for value type {typeof(TValue).Name}: call SetValueSerializer."),
        _time,
        Gateways);
}
