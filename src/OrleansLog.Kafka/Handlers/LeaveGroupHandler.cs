using OrleansLog.Kafka.Connections;
using OrleansLog.Kafka.Hosting;
using OrleansLog.Kafka.Protocol;
using OrleansLog.Kafka.Security;
using OrleansLog.Security;

namespace OrleansLog.Kafka.Handlers;

/// <summary>LeaveGroup (key 13, v0-3; v3 names several members at once): the members leave at once and the rest rebalance without waiting out a session.</summary>
internal sealed class LeaveGroupHandler(KafkaListenerContext context) : IKafkaHandler
{
    public ApiKey Key => ApiKey.LeaveGroup;

    public async Task<KafkaWriter?> HandleAsync(KafkaRequest request)
    {
        var (groupId, members) = Read(request);
        var errors = new List<ErrorCode>(members.Count);
        foreach (var (memberId, _) in members)
        {
            try
            {
                errors.Add(context.AllowsGroup(request, AclOperation.Read, groupId) ? await context.Group(groupId).LeaveClassic(memberId) : ErrorCode.GroupAuthorizationFailed);
            }
            catch (Exception e)
            {
                errors.Add(KafkaErrors.From(e).Code);
            }
        }

        var version = request.Version;
        var response = request.StartResponse();
        if (version >= 1)
        {
            response.WriteThrottleTime();
        }

        // Before v3 there is one member and its error is the request's; from v3 each member has its own.
        response.WriteInt16(version < 3 && errors.Count > 0 ? errors[0] : ErrorCode.None);
        if (version >= 3)
        {
            response.WriteArrayLength(members.Count, flexible: false);
            for (var i = 0; i < members.Count; i++)
            {
                response.WriteString(members[i].MemberId, flexible: false);
                response.WriteNullableString(members[i].InstanceId, flexible: false);
                response.WriteInt16(errors[i]);
            }
        }

        return response;
    }

    private static (string GroupId, List<(string MemberId, string? InstanceId)> Members) Read(KafkaRequest request)
    {
        var reader = new KafkaReader(request.Body);
        var groupId = reader.ReadString(flexible: false);
        if (request.Version < 3)
        {
            return (groupId, [(reader.ReadString(flexible: false), null)]);
        }

        var count = reader.ReadArrayLength(flexible: false);
        var members = new List<(string, string?)>(Math.Max(count, 0));
        for (var i = 0; i < count; i++)
        {
            members.Add((reader.ReadString(flexible: false), reader.ReadNullableString(flexible: false)));
        }

        return (groupId, members);
    }
}
