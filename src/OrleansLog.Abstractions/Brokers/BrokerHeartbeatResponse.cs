namespace OrleansLog.Brokers;

/// <summary>
/// The coordinator's answer to a broker's heartbeat. <see cref="Granted"/> false means the broker's session
/// was fenced (it went silent past the session timeout, and its partitions have moved): it must never
/// acknowledge again and leaves the cluster. <see cref="Coordinator"/> is the silo the coordinator runs on,
/// which brokers watch in turn.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record BrokerHeartbeatResponse(
    [property: Id(0)] bool Granted,
    [property: Id(1)] SiloAddress Coordinator);
