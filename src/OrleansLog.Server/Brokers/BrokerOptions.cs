namespace OrleansLog.Server.Brokers;

/// <summary>This silo's identity as a broker, bound from <c>OrleansLog:Broker</c>.</summary>
public sealed class BrokerOptions
{
    public const string SectionName = "OrleansLog:Broker";

    /// <summary>The stable broker id (Kafka's <c>broker.id</c>; on Kubernetes the pod ordinal). Replicas are assigned to ids, not silos.</summary>
    public int Id { get; set; }

    /// <summary>How often this broker renews its session with the coordinator (Kafka's <c>broker.heartbeat.interval.ms</c>).</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// A broker whose heartbeats stop for this long is fenced: the coordinator moves its leaderships and
    /// declares its silo dead, and the broker itself stops acknowledging writes (Kafka's
    /// <c>broker.session.timeout.ms</c>, 9 s there). Shorter means faster failover; too short turns a busy
    /// broker's stall into a restart. Brokers watch the coordinator's silo the same way.
    /// </summary>
    public TimeSpan SessionTimeout { get; set; } = TimeSpan.FromMilliseconds(1500);

    /// <summary>Where Kafka clients reach this broker ("host:port"), set by the Kafka listener when the broker runs one; registered with the coordinator.</summary>
    public string? KafkaEndpoint { get; set; }
}
