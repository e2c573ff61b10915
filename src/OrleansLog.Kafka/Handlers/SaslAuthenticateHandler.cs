using OrleansLog.Kafka.Connections;
using OrleansLog.Kafka.Protocol;

namespace OrleansLog.Kafka.Handlers;

/// <summary>
/// SaslAuthenticate (key 36) on a listener without SASL: ILLEGAL_SASL_STATE. On SASL listeners the connection's
/// <see cref="Security.SaslAuthenticator"/> answers it instead.
/// </summary>
internal sealed class SaslAuthenticateHandler : IKafkaHandler
{
    public ApiKey Key => ApiKey.SaslAuthenticate;

    public Task<KafkaWriter?> HandleAsync(KafkaRequest request)
    {
        var response = request.StartResponse();
        response.WriteInt16(ErrorCode.IllegalSaslState);
        response.WriteNullableString($"Listener {request.ListenerName} does not use SASL.", request.Flexible);
        response.WriteBytes([], request.Flexible);
        if (request.Version >= 1)
        {
            response.WriteInt64(0);
        }

        response.WriteEmptyTaggedFields(request.Flexible);
        return Task.FromResult<KafkaWriter?>(response);
    }
}
