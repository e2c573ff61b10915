using System.Collections.Immutable;

namespace OrleansLog.Connect;

/// <summary>A connector as Kafka Connect's <c>GET /connectors/{name}</c> shows it: its configuration, its tasks and whether it is a source or a sink.</summary>
[GenerateSerializer, Immutable]
public sealed record ConnectorInfo(
    [property: Id(0)] string Name,
    [property: Id(1)] ImmutableSortedDictionary<string, string> Config,
    [property: Id(2)] ImmutableArray<int> Tasks,
    [property: Id(3)] string Type);
