namespace OrleansLog.Silo.Hosting;

/// <summary>How this broker finds its cluster, from <c>OrleansLog:Cluster</c>.</summary>
public sealed class BrokerClusterOptions
{
    public const string SectionName = "OrleansLog:Cluster";

    /// <summary>
    /// <c>Embedded</c>: one silo on this machine, nothing outside needed. <c>AdoNet</c>: membership and
    /// grain state in PostgreSQL, so silos on several machines form one cluster. <c>Kubernetes</c>: AdoNet
    /// plus Orleans' Kubernetes hosting (silo name, address and ids from the pod).
    /// </summary>
    public string Mode { get; set; } = "Embedded";

    public string ClusterId { get; set; } = "orleanslog";

    public string ServiceId { get; set; } = "orleanslog";

    /// <summary>Silo-to-silo port.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>The port Orleans clients (the CLI, services) connect to.</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>
    /// The IP address other silos and clients reach this one at (AdoNet mode). Empty: the first
    /// non-loopback IPv4 address of this machine. Embedded mode always uses 127.0.0.1; Kubernetes the pod IP.
    /// </summary>
    public string? AdvertisedAddress { get; set; }

    /// <summary>The PostgreSQL connection string (AdoNet and Kubernetes); <c>ConnectionStrings:OrleansLog</c> also works.</summary>
    public string? ConnectionString { get; set; }
}
