namespace OrleansLog.Producers;

/// <summary>An idempotent producer's id and epoch: what its batches carry so partitions can drop duplicates.</summary>
[GenerateSerializer, Immutable]
public readonly record struct ProducerIdentity([property: Id(0)] long ProducerId, [property: Id(1)] short Epoch);
