using System.Collections.Immutable;
using OrleansLog.Metadata;

namespace OrleansLog.Replication;

/// <summary>
/// Part of the coordinator's news for one broker (<see cref="IReplicaManagerGrain.Apply"/>): <paramref name="Topic"/> as the
/// coordinator holds it now, and which of its <paramref name="Partitions"/> changed. Of those, <paramref name="Wake"/> are the
/// ones whose leader this broker should start even when no activation runs (a new leader, or one whose returning follower
/// waits to be caught up); for the others only what is already running hears the change.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record LeadershipNotice(
    [property: Id(0)] TopicDescription Topic,
    [property: Id(1)] ImmutableArray<int> Partitions,
    [property: Id(2)] ImmutableArray<int> Wake);
