using OrleansLog.Kafka.Connections;
using OrleansLog.Kafka.Protocol;

namespace OrleansLog.Kafka.Handlers;

/// <summary>
/// Serves one API: parses the request body (synchronously, before the first await, because the body is a
/// span), calls the grains, and writes the response. Refusals are Kafka error codes in the response;
/// an exception means the request could not be read at all (<see cref="KafkaProtocolException"/>).
/// </summary>
public interface IKafkaHandler
{
    ApiKey Key { get; }

    /// <summary>The response frame, or null when none is sent (a produce with acks=0).</summary>
    Task<KafkaWriter?> HandleAsync(KafkaRequest request);
}
