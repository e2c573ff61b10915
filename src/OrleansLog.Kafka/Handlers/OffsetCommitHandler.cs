using System.Collections.Immutable;
using OrleansLog.Groups;
using OrleansLog.Kafka.Connections;
using OrleansLog.Kafka.Hosting;
using OrleansLog.Kafka.Protocol;
using OrleansLog.Kafka.Security;
using OrleansLog.Partitions;
using OrleansLog.Security;

namespace OrleansLog.Kafka.Handlers;

/// <summary>
/// OffsetCommit (key 8, v0-7): the group's committed offsets, shared with native consumers. The group
/// checks the member and generation (a zombie's commit is refused) and stores all of the request's offsets
/// or none, so every partition carries the same error.
/// </summary>
internal sealed class OffsetCommitHandler(KafkaListenerContext context) : IKafkaHandler
{
    public ApiKey Key => ApiKey.OffsetCommit;

    public async Task<KafkaWriter?> HandleAsync(KafkaRequest request)
    {
        var (groupId, commit, topics) = Read(request);
        ErrorCode error;

        // Kafka's checks: READ on the group for the whole request, READ on each topic for its partitions.
        var refusedTopics = topics.Select(t => t.Name).Where(name => !context.AllowsTopic(request, AclOperation.Read, name)).ToHashSet(StringComparer.Ordinal);
        commit = commit with { Offsets = [.. commit.Offsets.Where(o => !refusedTopics.Contains(o.Partition.Topic))] };
        if (groupId.Length == 0)
        {
            error = ErrorCode.InvalidGroupId;
        }
        else if (!context.AllowsGroup(request, AclOperation.Read, groupId))
        {
            error = ErrorCode.GroupAuthorizationFailed;
        }
        else if (commit.Offsets.IsEmpty)
        {
            error = ErrorCode.None;
        }
        else
        {
            try
            {
                error = (await context.Group(groupId).CommitOffsets(commit)).Error;
            }
            catch (Exception e)
            {
                error = KafkaErrors.From(e).Code;
            }
        }

        var response = request.StartResponse();
        if (request.Version >= 3)
        {
            response.WriteThrottleTime();
        }

        PartitionFanOut.WritePartitionErrors(response, topics, (name, _) => error == ErrorCode.None && refusedTopics.Contains(name) ? ErrorCode.TopicAuthorizationFailed : error);
        return response;
    }

    private static (string GroupId, CommitOffsetsRequest Commit, List<(string Name, List<int> Partitions)> Topics) Read(KafkaRequest request)
    {
        var version = request.Version;
        var reader = new KafkaReader(request.Body);
        var groupId = reader.ReadString(flexible: false);
        var generation = version >= 1 ? reader.ReadInt32() : -1;
        var memberId = version >= 1 ? reader.ReadString(flexible: false) : "";
        if (version >= 7)
        {
            reader.ReadNullableString(flexible: false);
        }

        if (version is >= 2 and <= 4)
        {
            reader.ReadInt64();
        }

        var offsets = ImmutableArray.CreateBuilder<CommittedOffset>();
        var topics = new List<(string, List<int>)>();
        var topicCount = reader.ReadArrayLength(flexible: false);
        for (var t = 0; t < topicCount; t++)
        {
            var name = reader.ReadString(flexible: false);
            var partitions = new List<int>();
            var count = reader.ReadArrayLength(flexible: false);
            for (var p = 0; p < count; p++)
            {
                var index = reader.ReadInt32();
                var offset = reader.ReadInt64();
                if (version >= 6)
                {
                    reader.ReadInt32();
                }

                if (version == 1)
                {
                    reader.ReadInt64();
                }

                var metadata = reader.ReadNullableString(flexible: false);
                partitions.Add(index);
                offsets.Add(new CommittedOffset(new TopicPartition(name, index), offset, metadata));
            }

            topics.Add((name, partitions));
        }

        return (groupId, new CommitOffsetsRequest(memberId.Length == 0 ? null : memberId, generation, offsets.ToImmutable()), topics);
    }
}
