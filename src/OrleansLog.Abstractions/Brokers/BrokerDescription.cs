namespace OrleansLog.Brokers;

/// <summary>A broker the coordinator knows: its id, the silo it last registered from, whether that silo is alive, and its advertised Kafka endpoint ("host:port"; null without a Kafka listener).</summary>
[GenerateSerializer, Immutable]
public sealed record BrokerDescription(
    [property: Id(0)] int Id,
    [property: Id(1)] SiloAddress Silo,
    [property: Id(2)] bool IsAlive,
    [property: Id(3)] string? KafkaEndpoint = null);
