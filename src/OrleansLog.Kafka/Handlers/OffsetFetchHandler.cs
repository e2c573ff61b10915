using System.Collections.Immutable;
using OrleansLog.Groups;
using OrleansLog.Kafka.Connections;
using OrleansLog.Kafka.Hosting;
using OrleansLog.Kafka.Protocol;
using OrleansLog.Kafka.Security;
using OrleansLog.Partitions;
using OrleansLog.Security;

namespace OrleansLog.Kafka.Handlers;

/// <summary>OffsetFetch (key 9, v0-5): a group's committed offsets (v2+: all of them for a null topic list); a partition without one answers offset -1.</summary>
internal sealed class OffsetFetchHandler(KafkaListenerContext context) : IKafkaHandler
{
    public ApiKey Key => ApiKey.OffsetFetch;

    public async Task<KafkaWriter?> HandleAsync(KafkaRequest request)
    {
        var (groupId, wanted) = Read(request);
        var error = ErrorCode.None;
        ImmutableArray<CommittedOffset> committed = [];
        if (!context.AllowsGroup(request, AclOperation.Describe, groupId))
        {
            error = ErrorCode.GroupAuthorizationFailed;
        }
        else
        {
            try
            {
                committed = await context.Group(groupId).FetchOffsets(wanted is null ? [] : [.. wanted.SelectMany(t => t.Partitions.Select(p => new TopicPartition(t.Name, p)))]);
            }
            catch (Exception e)
            {
                error = KafkaErrors.From(e).Code;
            }
        }

        // Offsets of topics the principal may not describe are not shown: refused by name, left out of "all".
        var byPartition = committed.Where(c => context.AllowsTopic(request, AclOperation.Describe, c.Partition.Topic, audit: false)).ToDictionary(c => c.Partition);
        var topics = wanted ?? [.. byPartition.Values.GroupBy(c => c.Partition.Topic).Select(g => (g.Key, g.Select(c => c.Partition.Partition).ToList()))];
        var version = request.Version;
        var response = request.StartResponse();
        if (version >= 3)
        {
            response.WriteThrottleTime();
        }

        response.WriteArrayLength(topics.Count, flexible: false);
        foreach (var (name, partitions) in topics)
        {
            response.WriteString(name, flexible: false);
            response.WriteArrayLength(partitions.Count, flexible: false);
            foreach (var partition in partitions)
            {
                var found = byPartition.GetValueOrDefault(new TopicPartition(name, partition));
                response.WriteInt32(partition);
                response.WriteInt64(found?.Offset ?? -1);
                if (version >= 5)
                {
                    response.WriteInt32(-1);
                }

                response.WriteNullableString(found?.Metadata ?? "", flexible: false);
                response.WriteInt16(
                    version < 2 && error != ErrorCode.None ? error
                    : context.AllowsTopic(request, AclOperation.Describe, name) ? ErrorCode.None
                    : ErrorCode.TopicAuthorizationFailed);
            }
        }

        if (version >= 2)
        {
            response.WriteInt16(error);
        }

        return response;
    }

    private static (string GroupId, List<(string Name, List<int> Partitions)>? Topics) Read(KafkaRequest request)
    {
        var reader = new KafkaReader(request.Body);
        var groupId = reader.ReadString(flexible: false);
        var count = reader.ReadArrayLength(flexible: false);
        if (count < 0)
        {
            return (groupId, null);
        }

        var topics = new List<(string, List<int>)>(count);
        for (var t = 0; t < count; t++)
        {
            topics.Add((reader.ReadString(flexible: false), [.. reader.ReadInt32Array(flexible: false)]));
        }

        return (groupId, topics);
    }
}
