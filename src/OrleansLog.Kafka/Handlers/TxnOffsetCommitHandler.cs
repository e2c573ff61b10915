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
/// TxnOffsetCommit (key 28, v0-2): offsets committed inside a transaction; the group keeps them pending, invisible to
/// OffsetFetch, until the transaction commits. Kafka's checks: READ on the group, READ on each topic, and the group must
/// have been added to the transaction (AddOffsetsToTxn).
/// </summary>
internal sealed class TxnOffsetCommitHandler(KafkaListenerContext context) : IKafkaHandler
{
    public ApiKey Key => ApiKey.TxnOffsetCommit;

    public async Task<KafkaWriter?> HandleAsync(KafkaRequest request)
    {
        var reader = new KafkaReader(request.Body);
        var transactionalId = reader.ReadString(flexible: false);
        var groupId = reader.ReadString(flexible: false);
        var producer = TransactionRequests.ReadProducer(ref reader);
        var offsets = ImmutableArray.CreateBuilder<CommittedOffset>();
        var topics = new List<(string Name, List<int> Partitions)>();
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
                if (request.Version >= 2)
                {
                    reader.ReadInt32();
                }

                var metadata = reader.ReadNullableString(flexible: false);
                partitions.Add(index);
                offsets.Add(new CommittedOffset(new TopicPartition(name, index), offset, metadata));
            }

            topics.Add((name, partitions));
        }

        var refusedTopics = topics.Select(t => t.Name).Where(name => !context.AllowsTopic(request, AclOperation.Read, name)).ToHashSet(StringComparer.Ordinal);
        var commit = new CommitOffsetsRequest(null, -1, [.. offsets.Where(o => !refusedTopics.Contains(o.Partition.Topic))]);
        ErrorCode error;
        if (groupId.Length == 0)
        {
            error = ErrorCode.InvalidGroupId;
        }
        else if (!context.AllowsGroup(request, AclOperation.Read, groupId))
        {
            error = ErrorCode.GroupAuthorizationFailed;
        }
        else if (!context.Allows(request, AclOperation.Write, AclResourceType.TransactionalId, transactionalId))
        {
            error = ErrorCode.TransactionalIdAuthorizationFailed;
        }
        else if (commit.Offsets.IsEmpty)
        {
            error = ErrorCode.None;
        }
        else
        {
            try
            {
                error = (await context.Group(groupId).CommitTransactionalOffsets(transactionalId, producer, commit)).Error;
            }
            catch (Exception e)
            {
                error = KafkaErrors.From(e).Code;
            }
        }

        var response = request.StartResponse();
        response.WriteThrottleTime();
        PartitionFanOut.WritePartitionErrors(response, topics, (name, _) => error == ErrorCode.None && refusedTopics.Contains(name) ? ErrorCode.TopicAuthorizationFailed : error);
        return response;
    }
}
