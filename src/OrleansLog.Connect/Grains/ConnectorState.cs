using System.Collections.Immutable;

namespace OrleansLog.Connect.Grains;

/// <summary>A connector's stored state: its configuration, what the user asked of it, its task configurations, and the counters that restart its tasks.</summary>
[GenerateSerializer]
public sealed class ConnectorState
{
    [Id(0)]
    public ImmutableSortedDictionary<string, string>? Config { get; set; }

    [Id(1)]
    public ConnectTargetState Target { get; set; }

    /// <summary>Raised at every configuration change; tasks restart when it moves.</summary>
    [Id(2)]
    public int Generation { get; set; }

    [Id(3)]
    public ImmutableArray<ImmutableSortedDictionary<string, string>> TaskConfigs { get; set; } = [];

    /// <summary>Per task, raised by each restart request.</summary>
    [Id(4)]
    public ImmutableArray<int> RestartEpochs { get; set; } = [];

    [Id(5)]
    public string Type { get; set; } = "";
}
