using OrleansLog.Groups;
using OrleansLog.Kafka.Connections;
using OrleansLog.Kafka.Hosting;
using OrleansLog.Kafka.Protocol;
using OrleansLog.Kafka.Security;
using OrleansLog.Security;
using OrleansLog.Server.Groups.Classic;

namespace OrleansLog.Kafka.Handlers;

/// <summary>
/// DescribeGroups (key 15, v0-4): state, protocol and members of each group, native groups included (their
/// members' partitions written as a consumer-protocol assignment). A group with neither members nor
/// offsets is "Dead", as Kafka answers for groups it does not have.
/// </summary>
internal sealed class DescribeGroupsHandler(KafkaListenerContext context) : IKafkaHandler
{
    public ApiKey Key => ApiKey.DescribeGroups;

    public async Task<KafkaWriter?> HandleAsync(KafkaRequest request)
    {
        var reader = new KafkaReader(request.Body);
        var count = reader.ReadArrayLength(flexible: false);
        var ids = new List<string>(Math.Max(count, 0));
        for (var i = 0; i < count; i++)
        {
            ids.Add(reader.ReadString(flexible: false));
        }

        var described = await Task.WhenAll(ids.Select(id => context.AllowsGroup(request, AclOperation.Describe, id) ? Describe(id) : Task.FromResult<(ErrorCode, GroupDescription?)>((ErrorCode.GroupAuthorizationFailed, null))));
        var version = request.Version;
        var response = request.StartResponse();
        if (version >= 1)
        {
            response.WriteThrottleTime();
        }

        response.WriteArrayLength(described.Length, flexible: false);
        for (var i = 0; i < described.Length; i++)
        {
            var (error, group) = described[i];
            var members = group?.Members ?? [];
            var dead = group is not { Exists: true };
            response.WriteInt16(error);
            response.WriteString(ids[i], flexible: false);
            response.WriteString(dead ? "Dead" : StateName(group!.State), flexible: false);
            response.WriteString(dead ? "" : group!.ProtocolType ?? "consumer", flexible: false);
            response.WriteString(group?.Assignor ?? "", flexible: false);
            response.WriteArrayLength(members.Length, flexible: false);
            foreach (var member in members)
            {
                response.WriteString(member.MemberId, flexible: false);
                if (version >= 4)
                {
                    response.WriteNullableString(member.GroupInstanceId, flexible: false);
                }

                response.WriteString(member.ClientId, flexible: false);
                response.WriteString(member.ClientHost ?? "", flexible: false);
                response.WriteBytes(member.MemberMetadata.Span, flexible: false);
                response.WriteBytes(group!.ProtocolType is null ? ConsumerProtocolFormat.EncodeAssignment(member.Assignment) : member.MemberAssignment.Span, flexible: false);
            }

            if (version >= 3)
            {
                response.WriteInt32(int.MinValue);
            }
        }

        return response;
    }

    private async Task<(ErrorCode, GroupDescription?)> Describe(string groupId)
    {
        if (groupId.Length == 0)
        {
            return (ErrorCode.InvalidGroupId, null);
        }

        try
        {
            return (ErrorCode.None, await context.Group(groupId).Describe());
        }
        catch (Exception e)
        {
            return (KafkaErrors.From(e).Code, null);
        }
    }

    /// <summary>Kafka's spelling of each state.</summary>
    public static string StateName(GroupState state) => state switch
    {
        GroupState.Rebalancing => "PreparingRebalance",
        GroupState.CompletingRebalance => "CompletingRebalance",
        GroupState.Stable => "Stable",
        _ => "Empty",
    };
}
