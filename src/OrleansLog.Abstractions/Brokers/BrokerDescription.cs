namespace OrleansLog.Brokers;

/// <summary>A broker the coordinator knows: its id, the silo it last registered from, and whether that silo is alive.</summary>
[GenerateSerializer, Immutable]
public sealed record BrokerDescription(
    [property: Id(0)] int Id,
    [property: Id(1)] SiloAddress Silo,
    [property: Id(2)] bool IsAlive);
