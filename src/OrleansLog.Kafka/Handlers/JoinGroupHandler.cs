using System.Collections.Immutable;
using OrleansLog.Groups;
using OrleansLog.Kafka.Connections;
using OrleansLog.Kafka.Hosting;
using OrleansLog.Kafka.Protocol;
using OrleansLog.Kafka.Security;
using OrleansLog.Security;

namespace OrleansLog.Kafka.Handlers;

/// <summary>JoinGroup (key 11, v0-5): the classic protocol's join, answered once the group's generation is complete (see <see cref="GroupRequests"/>); protocol metadata passes through as bytes.</summary>
internal sealed class JoinGroupHandler(KafkaListenerContext context) : IKafkaHandler
{
    public ApiKey Key => ApiKey.JoinGroup;

    public async Task<KafkaWriter?> HandleAsync(KafkaRequest request)
    {
        var (groupId, join) = Read(request);
        ClassicJoinResponse answer;
        if (groupId.Length == 0)
        {
            answer = ClassicJoinResponse.Failed(ErrorCode.InvalidGroupId, join.MemberId);
        }
        else if (!context.AllowsGroup(request, AclOperation.Read, groupId))
        {
            answer = ClassicJoinResponse.Failed(ErrorCode.GroupAuthorizationFailed, join.MemberId);
        }
        else
        {
            try
            {
                var group = context.Group(groupId);
                var limit = TimeSpan.FromMilliseconds(Math.Max(join.RebalanceTimeoutMs, join.SessionTimeoutMs)) + TimeSpan.FromSeconds(5);
                answer = await GroupRequests.PollUntilFinal<ClassicJoinResponse>(
                    previous => group.JoinClassic(previous is null ? join : join with { Resume = true, MemberId = previous.MemberId }),
                    a => a.Pending,
                    limit,
                    context.Time);
                if (answer.Pending)
                {
                    answer = ClassicJoinResponse.Failed(ErrorCode.RebalanceInProgress, answer.MemberId);
                }
            }
            catch (Exception e)
            {
                answer = ClassicJoinResponse.Failed(KafkaErrors.From(e).Code, join.MemberId);
            }
        }

        return Write(request, answer);
    }

    private static (string GroupId, ClassicJoinRequest Join) Read(KafkaRequest request)
    {
        var version = request.Version;
        var reader = new KafkaReader(request.Body);
        var groupId = reader.ReadString(flexible: false);
        var sessionTimeoutMs = reader.ReadInt32();
        var rebalanceTimeoutMs = version >= 1 ? reader.ReadInt32() : sessionTimeoutMs;
        var memberId = reader.ReadString(flexible: false);
        var instanceId = version >= 5 ? reader.ReadNullableString(flexible: false) : null;
        var protocolType = reader.ReadString(flexible: false);
        var count = reader.ReadArrayLength(flexible: false);
        var protocols = ImmutableArray.CreateBuilder<ClassicProtocol>(Math.Max(count, 0));
        for (var i = 0; i < count; i++)
        {
            var name = reader.ReadString(flexible: false);
            protocols.Add(new ClassicProtocol(name, reader.ReadBytes(flexible: false).ToArray()));
        }

        return (groupId, new ClassicJoinRequest(memberId, instanceId, request.Header.ClientId ?? "", request.ClientHost, sessionTimeoutMs, rebalanceTimeoutMs, protocolType, protocols.ToImmutable()));
    }

    private static KafkaWriter Write(KafkaRequest request, ClassicJoinResponse answer)
    {
        var version = request.Version;
        var response = request.StartResponse();
        if (version >= 2)
        {
            response.WriteThrottleTime();
        }

        response.WriteInt16(answer.Error);
        response.WriteInt32(answer.Generation);
        response.WriteString(answer.ProtocolName ?? "", flexible: false);
        response.WriteString(answer.Leader, flexible: false);
        response.WriteString(answer.MemberId, flexible: false);
        response.WriteArrayLength(answer.Members.Length, flexible: false);
        foreach (var member in answer.Members)
        {
            response.WriteString(member.MemberId, flexible: false);
            if (version >= 5)
            {
                response.WriteNullableString(member.GroupInstanceId, flexible: false);
            }

            response.WriteBytes(member.Metadata.Span, flexible: false);
        }

        return response;
    }
}
