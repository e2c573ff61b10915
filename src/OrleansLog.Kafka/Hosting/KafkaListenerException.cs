namespace OrleansLog.Kafka.Hosting;

/// <summary>The Kafka listener cannot start (its port is taken, its address is not this machine's); the message says what to change.</summary>
public sealed class KafkaListenerException(string message, Exception inner) : Exception(message, inner);
