namespace OrleansLog.Partitions;

/// <summary>One or more record batches (Kafka v2, as bytes) for one partition. The broker never modifies <see cref="Records"/>.</summary>
[GenerateSerializer, Immutable]
public sealed record ProduceRequest(
    [property: Id(0)] BatchBytes Records,
    [property: Id(1)] short Acks = Partitions.Acks.All,
    [property: Id(2)] int TimeoutMs = 30_000,
    [property: Id(3)] string? TransactionalId = null);
