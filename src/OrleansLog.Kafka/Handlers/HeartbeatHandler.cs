using OrleansLog.Kafka.Connections;
using OrleansLog.Kafka.Hosting;
using OrleansLog.Kafka.Protocol;
using OrleansLog.Kafka.Security;
using OrleansLog.Security;

namespace OrleansLog.Kafka.Handlers;

/// <summary>Heartbeat (key 12, v0-3): keeps a Kafka client's membership alive; REBALANCE_IN_PROGRESS tells it to rejoin.</summary>
internal sealed class HeartbeatHandler(KafkaListenerContext context) : IKafkaHandler
{
    public ApiKey Key => ApiKey.Heartbeat;

    public async Task<KafkaWriter?> HandleAsync(KafkaRequest request)
    {
        var (groupId, generation, memberId) = Read(request);
        ErrorCode error;
        try
        {
            error = context.AllowsGroup(request, AclOperation.Read, groupId)
                ? await context.Group(groupId).HeartbeatClassic(memberId, generation)
                : ErrorCode.GroupAuthorizationFailed;
        }
        catch (Exception e)
        {
            error = KafkaErrors.From(e).Code;
        }

        var response = request.StartResponse();
        if (request.Version >= 1)
        {
            response.WriteThrottleTime();
        }

        response.WriteInt16(error);
        return response;
    }

    private static (string GroupId, int Generation, string MemberId) Read(KafkaRequest request)
    {
        var reader = new KafkaReader(request.Body);
        return (reader.ReadString(flexible: false), reader.ReadInt32(), reader.ReadString(flexible: false));
    }
}
