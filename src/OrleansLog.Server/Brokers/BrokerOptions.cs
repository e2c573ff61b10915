namespace OrleansLog.Server.Brokers;

/// <summary>This silo's identity as a broker, bound from <c>OrleansLog:Broker</c>.</summary>
public sealed class BrokerOptions
{
    public const string SectionName = "OrleansLog:Broker";

    /// <summary>The stable broker id (Kafka's <c>broker.id</c>; on Kubernetes the pod ordinal). Replicas are assigned to ids, not silos.</summary>
    public int Id { get; set; }

    /// <summary>Where Kafka clients reach this broker ("host:port"), set by the Kafka listener when the broker runs one; registered with the coordinator.</summary>
    public string? KafkaEndpoint { get; set; }
}
