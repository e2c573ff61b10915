namespace OrleansLog.Partitions;

/// <summary>A transaction coordinator's commit or abort marker for one producer, to be written to a partition of its transaction.</summary>
[GenerateSerializer, Immutable]
public sealed record TransactionMarkerRequest(
    [property: Id(0)] long ProducerId,
    [property: Id(1)] short ProducerEpoch,
    [property: Id(2)] bool Commit,
    [property: Id(3)] int CoordinatorEpoch,
    [property: Id(4)] int TimeoutMs = 30_000);
