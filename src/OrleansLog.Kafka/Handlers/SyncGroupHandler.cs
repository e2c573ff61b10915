using System.Collections.Immutable;
using OrleansLog.Groups;
using OrleansLog.Kafka.Connections;
using OrleansLog.Kafka.Hosting;
using OrleansLog.Kafka.Protocol;
using OrleansLog.Kafka.Security;
using OrleansLog.Security;

namespace OrleansLog.Kafka.Handlers;

/// <summary>SyncGroup (key 14, v0-3): the leader's assignments go to the group; every member's answer is its own assignment, once the leader has sent them.</summary>
internal sealed class SyncGroupHandler(KafkaListenerContext context) : IKafkaHandler
{
    /// <summary>How long a follower waits for the leader's assignments before it is told to rejoin (the leader's session would have expired by then).</summary>
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(60);

    public ApiKey Key => ApiKey.SyncGroup;

    public async Task<KafkaWriter?> HandleAsync(KafkaRequest request)
    {
        var (groupId, sync) = Read(request);
        var answer = context.AllowsGroup(request, AclOperation.Read, groupId)
            ? await Sync(groupId, sync)
            : ClassicSyncResponse.Failed(ErrorCode.GroupAuthorizationFailed);

        var response = request.StartResponse();
        if (request.Version >= 1)
        {
            response.WriteThrottleTime();
        }

        response.WriteInt16(answer.Error);
        response.WriteBytes(answer.Assignment.Span, flexible: false);
        return response;
    }

    private async Task<ClassicSyncResponse> Sync(string groupId, ClassicSyncRequest sync)
    {
        try
        {
            var group = context.Group(groupId);
            var answer = await GroupRequests.PollUntilFinal<ClassicSyncResponse>(
                previous => group.SyncClassic(previous is null ? sync : sync with { Resume = true }),
                a => a.Pending,
                WaitLimit,
                context.Time);
            return answer.Pending ? ClassicSyncResponse.Failed(ErrorCode.RebalanceInProgress) : answer;
        }
        catch (Exception e)
        {
            return ClassicSyncResponse.Failed(KafkaErrors.From(e).Code);
        }
    }

    private static (string GroupId, ClassicSyncRequest Sync) Read(KafkaRequest request)
    {
        var reader = new KafkaReader(request.Body);
        var groupId = reader.ReadString(flexible: false);
        var generation = reader.ReadInt32();
        var memberId = reader.ReadString(flexible: false);
        if (request.Version >= 3)
        {
            reader.ReadNullableString(flexible: false);
        }

        var count = reader.ReadArrayLength(flexible: false);
        var assignments = ImmutableDictionary.CreateBuilder<string, ReadOnlyMemory<byte>>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var member = reader.ReadString(flexible: false);
            assignments[member] = reader.ReadBytes(flexible: false).ToArray();
        }

        return (groupId, new ClassicSyncRequest(memberId, generation, assignments.ToImmutable()));
    }
}
