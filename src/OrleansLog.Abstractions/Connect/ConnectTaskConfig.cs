using System.Collections.Immutable;

namespace OrleansLog.Connect;

/// <summary>A task's configuration as <c>GET /connectors/{name}/tasks</c> shows it.</summary>
[GenerateSerializer, Immutable]
public sealed record ConnectTaskConfig(
    [property: Id(0)] ConnectTaskId Id,
    [property: Id(1)] ImmutableSortedDictionary<string, string> Config);
