using OrleansLog.Kafka.Connections;
using OrleansLog.Kafka.Hosting;
using OrleansLog.Kafka.Protocol;
using OrleansLog.Kafka.Security;
using OrleansLog.Security;

namespace OrleansLog.Kafka.Handlers;

/// <summary>
/// FindCoordinator (key 10, v0-2): every broker can coordinate every group and every transactional id (key type 1),
/// because both are grains that any broker's listener calls, so the answer is the broker that was asked.
/// </summary>
internal sealed class FindCoordinatorHandler(KafkaListenerContext context) : IKafkaHandler
{
    private const sbyte GroupKeyType = 0;
    private const sbyte TransactionKeyType = 1;

    public ApiKey Key => ApiKey.FindCoordinator;

    public Task<KafkaWriter?> HandleAsync(KafkaRequest request)
    {
        var reader = new KafkaReader(request.Body);
        var key = reader.ReadString(flexible: false);
        var keyType = request.Version >= 1 ? reader.ReadInt8() : GroupKeyType;
        var error = keyType switch
        {
            GroupKeyType => context.AllowsGroup(request, AclOperation.Describe, key) ? ErrorCode.None : ErrorCode.GroupAuthorizationFailed,
            TransactionKeyType => context.Allows(request, AclOperation.Describe, AclResourceType.TransactionalId, key) ? ErrorCode.None : ErrorCode.TransactionalIdAuthorizationFailed,
            _ => ErrorCode.InvalidRequest,
        };

        var response = request.StartResponse();
        if (request.Version >= 1)
        {
            response.WriteThrottleTime();
        }

        response.WriteInt16(error);
        if (request.Version >= 1)
        {
            response.WriteNullableString(
                error == ErrorCode.None ? null
                : error == ErrorCode.GroupAuthorizationFailed ? $"{request.Principal} is not authorized to describe group \"{key}\"."
                : error == ErrorCode.TransactionalIdAuthorizationFailed ? $"{request.Principal} is not authorized to describe transactional id \"{key}\"."
                : $"Key type {keyType} is neither a group (0) nor a transactional id (1).",
                flexible: false);
        }

        response.WriteInt32(error == ErrorCode.None ? context.BrokerId : -1);
        var (host, port) = context.Advertised[request.ListenerName];
        response.WriteString(error == ErrorCode.None ? host : "", flexible: false);
        response.WriteInt32(error == ErrorCode.None ? port : -1);
        return Task.FromResult<KafkaWriter?>(response);
    }
}
