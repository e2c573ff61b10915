namespace OrleansLog.Silo.Hosting;

/// <summary>Where membership and grain state live (see <see cref="BrokerClusterOptions.Mode"/>).</summary>
public enum ClusterMode
{
    Embedded,
    AdoNet,
    Kubernetes,
}
