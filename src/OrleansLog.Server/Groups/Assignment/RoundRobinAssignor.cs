using OrleansLog.Groups;
using OrleansLog.Partitions;

namespace OrleansLog.Server.Groups.Assignment;

/// <summary>
/// Kafka's round-robin assignor: all subscribed partitions, in topic and partition order, dealt to
/// members in id order, skipping members not subscribed to a partition's topic.
/// </summary>
public sealed class RoundRobinAssignor : IPartitionAssignor
{
    public string Name => PartitionAssignors.RoundRobin;

    public Dictionary<string, HashSet<TopicPartition>> Assign(IReadOnlyList<AssignorMember> members, IReadOnlyDictionary<string, int> partitionCounts)
    {
        var result = AssignorSupport.EmptyAssignment(members);
        var ordered = members.OrderBy(m => m.MemberId, StringComparer.Ordinal).ToArray();
        if (ordered.Length == 0)
        {
            return result;
        }

        var cursor = 0;
        foreach (var (topic, count) in AssignorSupport.SortedTopics(partitionCounts))
        {
            for (var p = 0; p < count; p++)
            {
                for (var tried = 0; tried < ordered.Length; tried++)
                {
                    var member = ordered[cursor];
                    cursor = (cursor + 1) % ordered.Length;
                    if (member.Topics.Contains(topic))
                    {
                        result[member.MemberId].Add(new TopicPartition(topic, p));
                        break;
                    }
                }
            }
        }

        return result;
    }
}
