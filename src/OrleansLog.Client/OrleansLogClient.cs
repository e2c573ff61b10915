using OrleansLog.Client.Admin;
using OrleansLog.Client.Consuming;
using OrleansLog.Client.Producing;

namespace OrleansLog.Client;

/// <summary>The entry point an application injects: producers, consumers and the admin client over one grain factory.</summary>
public sealed class OrleansLogClient(IGrainFactory grains)
{
    public IGrainFactory Grains => grains;

    public AdminClient Admin { get; } = new(grains);

    public ProducerBuilder<TKey, TValue> NewProducer<TKey, TValue>(ProducerConfig? config = null) => new(grains, config);

    public ConsumerBuilder<TKey, TValue> NewConsumer<TKey, TValue>(ConsumerConfig? config = null) => new(grains, config);

    public Producer<TKey, TValue> CreateProducer<TKey, TValue>(ProducerConfig? config = null) => NewProducer<TKey, TValue>(config).Build();

    public Consumer<TKey, TValue> CreateConsumer<TKey, TValue>(ConsumerConfig? config = null) => NewConsumer<TKey, TValue>(config).Build();
}
