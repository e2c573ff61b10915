namespace OrleansLog.Silo.Hosting;

/// <summary>How this broker finds its cluster, from <c>OrleansLog:Cluster</c>.</summary>
public sealed class BrokerClusterOptions
{
    public const string SectionName = "OrleansLog:Cluster";

    /// <summary>Embedded: one silo on this machine, nothing outside needed.</summary>
    public string Mode { get; set; } = "Embedded";

    public string ClusterId { get; set; } = "orleanslog";

    public string ServiceId { get; set; } = "orleanslog";

    /// <summary>Silo-to-silo port.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>The port Orleans clients (the CLI, services) connect to.</summary>
    public int GatewayPort { get; set; } = 30000;
}
