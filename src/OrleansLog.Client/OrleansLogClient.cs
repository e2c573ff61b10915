using Microsoft.Extensions.DependencyInjection;
using OrleansLog.Client.Admin;
using OrleansLog.Client.Consuming;
using OrleansLog.Client.Internal;
using OrleansLog.Client.Producing;

namespace OrleansLog.Client;

/// <summary>The entry point an application injects: producers, consumers and the admin client over one grain factory.</summary>
public sealed class OrleansLogClient
{
    private readonly IGrainFactory _grains;
    private readonly GatewayLossWatch? _gateways;

    /// <summary>Over a silo's grain factory or a cluster client (whose gateway watch, if registered, producers use).</summary>
    public OrleansLogClient(IGrainFactory grains)
        : this(grains, (grains as IClusterClient)?.ServiceProvider.GetService<GatewayLossWatch>())
    {
    }

    internal OrleansLogClient(IGrainFactory grains, GatewayLossWatch? gateways)
    {
        _grains = grains;
        _gateways = gateways;
        Admin = new AdminClient(grains);
    }

    public IGrainFactory Grains => _grains;

    public AdminClient Admin { get; }

    public ProducerBuilder<TKey, TValue> NewProducer<TKey, TValue>(ProducerConfig? config = null) => new(_grains, config) { Gateways = _gateways };

    public ConsumerBuilder<TKey, TValue> NewConsumer<TKey, TValue>(ConsumerConfig? config = null) => new(_grains, config);

    public Producer<TKey, TValue> CreateProducer<TKey, TValue>(ProducerConfig? config = null) => NewProducer<TKey, TValue>(config).Build();

    public Consumer<TKey, TValue> CreateConsumer<TKey, TValue>(ConsumerConfig? config = null) => NewConsumer<TKey, TValue>(config).Build();
}
