namespace OrleansLog.Kafka.Protocol;

/// <summary>A frame that does not follow the protocol (truncated, a negative length, an impossible size): the connection that sent it is closed.</summary>
public sealed class KafkaProtocolException(string message) : Exception(message);
