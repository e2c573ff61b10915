namespace OrleansLog.Connect.Grains;

/// <summary>The cluster's connectors (name to task count) and where each task runs (task grain key to silo).</summary>
[GenerateSerializer]
public sealed class ConnectClusterState
{
    [Id(0)]
    public Dictionary<string, int> Connectors { get; set; } = new();

    [Id(1)]
    public Dictionary<string, SiloAddress> Placement { get; set; } = new();
}
