namespace OrleansLog.Partitions;

/// <summary>An aborted transaction a read_committed reader must skip: the producer's batches from <see cref="FirstOffset"/> until its abort marker.</summary>
[GenerateSerializer, Immutable]
public readonly record struct AbortedTransaction([property: Id(0)] long ProducerId, [property: Id(1)] long FirstOffset);
