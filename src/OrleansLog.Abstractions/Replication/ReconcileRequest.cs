using System.Collections.Immutable;
using OrleansLog.Records;

namespace OrleansLog.Replication;

/// <summary>
/// A leader's first word to a follower in a new epoch: its epoch list and log range, from which the
/// follower finds where its own log diverges and cuts it there (or empties it, when it is wholly
/// below the leader's log start).
/// <c>TopicId</c> names the topic the leader serves (empty: not known).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ReconcileRequest(
    [property: Id(0)] int LeaderEpoch,
    [property: Id(1)] int LeaderBroker,
    [property: Id(2)] ImmutableArray<EpochEntry> LeaderEpochs,
    [property: Id(3)] long LogStartOffset,
    [property: Id(4)] long LogEndOffset,
    [property: Id(5)] long HighWatermark,
    [property: Id(6)] Guid TopicId = default);
