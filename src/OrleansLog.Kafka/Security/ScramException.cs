namespace OrleansLog.Kafka.Security;

/// <summary>A SASL exchange that failed; the message is for the broker's log, the client hears SASL_AUTHENTICATION_FAILED.</summary>
public sealed class ScramException(string message) : Exception(message);
