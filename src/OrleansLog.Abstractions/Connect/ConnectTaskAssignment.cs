using System.Collections.Immutable;

namespace OrleansLog.Connect;

/// <summary>
/// What a task is to run: its connector's class and configuration, its own configuration, what the user asked of the
/// connector, and two counters a new value of which restarts it (the configuration's generation; a restart request).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ConnectTaskAssignment(
    [property: Id(0)] ConnectTaskId Id,
    [property: Id(1)] ImmutableSortedDictionary<string, string> ConnectorConfig,
    [property: Id(2)] ImmutableSortedDictionary<string, string> TaskConfig,
    [property: Id(3)] ConnectTargetState Target,
    [property: Id(4)] int Generation,
    [property: Id(5)] int RestartEpoch);
