namespace OrleansLog.Connect;

/// <summary>A connector class the cluster can run, as <c>GET /connector-plugins</c> lists it.</summary>
[GenerateSerializer, Immutable]
public sealed record ConnectorPluginInfo(
    [property: Id(0)] string Class,
    [property: Id(1)] string Type,
    [property: Id(2)] string Version);
