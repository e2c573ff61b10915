using OrleansLog.Kafka.Connections;
using OrleansLog.Kafka.Protocol;

namespace OrleansLog.Kafka.Handlers;

/// <summary>
/// SaslHandshake (key 17) on a listener without SASL: no mechanism is offered (UNSUPPORTED_SASL_MECHANISM with an empty
/// list). On SASL listeners the connection's <see cref="Security.SaslAuthenticator"/> answers it instead.
/// </summary>
internal sealed class SaslHandshakeHandler : IKafkaHandler
{
    public ApiKey Key => ApiKey.SaslHandshake;

    public Task<KafkaWriter?> HandleAsync(KafkaRequest request)
    {
        var response = request.StartResponse();
        response.WriteInt16(ErrorCode.UnsupportedSaslMechanism);
        response.WriteArrayLength(0, flexible: false);
        return Task.FromResult<KafkaWriter?>(response);
    }
}
