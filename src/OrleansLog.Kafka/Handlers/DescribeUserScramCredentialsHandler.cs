using OrleansLog.Kafka.Connections;
using OrleansLog.Kafka.Hosting;
using OrleansLog.Kafka.Protocol;
using OrleansLog.Kafka.Security;
using OrleansLog.Security;

namespace OrleansLog.Kafka.Handlers;

/// <summary>
/// DescribeUserScramCredentials (key 50, v0, flexible): each user's SCRAM mechanisms and iterations (never keys), all
/// users for a null list; needs DESCRIBE on the cluster, as Kafka's. An unknown user is RESOURCE_NOT_FOUND, a user
/// named twice DUPLICATE_RESOURCE.
/// </summary>
internal sealed class DescribeUserScramCredentialsHandler(KafkaListenerContext context) : IKafkaHandler
{
    public ApiKey Key => ApiKey.DescribeUserScramCredentials;

    public async Task<KafkaWriter?> HandleAsync(KafkaRequest request)
    {
        var reader = new KafkaReader(request.Body);
        var count = reader.ReadArrayLength(flexible: true);
        List<string>? asked = count < 0 ? null : new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            asked!.Add(reader.ReadString(flexible: true));
            reader.SkipTaggedFields(flexible: true);
        }

        (ErrorCode Code, string? Message) error = (ErrorCode.None, null);
        List<ScramCredentialInfo> found = [];
        if (!context.AllowsCluster(request, AclOperation.Describe))
        {
            error = (ErrorCode.ClusterAuthorizationFailed, $"{request.Principal} is not authorized to describe the cluster's users.");
        }
        else
        {
            try
            {
                found = [.. await context.Grains.GetGrain<ICredentialStoreGrain>(ICredentialStoreGrain.ClusterKey).Describe(asked is null ? [] : [.. asked.Distinct(StringComparer.Ordinal)])];
            }
            catch (Exception e)
            {
                error = KafkaErrors.From(e);
            }
        }

        var users = asked ?? [.. found.Select(f => f.User).Distinct(StringComparer.Ordinal)];
        var response = request.StartResponse();
        response.WriteThrottleTime();
        response.WriteInt16(error.Code);
        response.WriteNullableString(error.Message, flexible: true);
        response.WriteArrayLength(error.Code == ErrorCode.None ? users.Count : 0, flexible: true);
        for (var i = 0; i < users.Count && error.Code == ErrorCode.None; i++)
        {
            var user = users[i];
            var credentials = found.Where(f => f.User == user).ToList();
            var (code, message) = users.IndexOf(user) != i || users.LastIndexOf(user) != i ? (ErrorCode.DuplicateResource, $"user \"{user}\" is named more than once")
                : credentials.Count == 0 ? (ErrorCode.ResourceNotFound, $"user \"{user}\" has no SCRAM credential")
                : (ErrorCode.None, (string?)null);
            response.WriteString(user, flexible: true);
            response.WriteInt16(code);
            response.WriteNullableString(message, flexible: true);
            response.WriteArrayLength(code == ErrorCode.None ? credentials.Count : 0, flexible: true);
            foreach (var credential in code == ErrorCode.None ? credentials : [])
            {
                response.WriteInt8(ScramWire.MechanismCode(credential.Mechanism));
                response.WriteInt32(credential.Iterations);
                response.WriteEmptyTaggedFields(flexible: true);
            }

            response.WriteEmptyTaggedFields(flexible: true);
        }

        response.WriteEmptyTaggedFields(flexible: true);
        return response;
    }
}
