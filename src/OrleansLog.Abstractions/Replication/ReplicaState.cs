using System.Collections.Immutable;
using OrleansLog.Records;

namespace OrleansLog.Replication;

/// <summary>A follower replica's positions, for describe, monitoring and tests.</summary>
[GenerateSerializer, Immutable]
public sealed record ReplicaState(
    [property: Id(0)] int Broker,
    [property: Id(1)] long LogStartOffset,
    [property: Id(2)] long LogEndOffset,
    [property: Id(3)] long HighWatermark,
    [property: Id(4)] int KnownLeaderEpoch,
    [property: Id(5)] ImmutableArray<EpochEntry> LeaderEpochs);
