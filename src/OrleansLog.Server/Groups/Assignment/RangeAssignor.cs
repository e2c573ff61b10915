using OrleansLog.Groups;
using OrleansLog.Partitions;

namespace OrleansLog.Server.Groups.Assignment;

/// <summary>
/// Kafka's range assignor: per topic, the subscribed members in id order each take a contiguous range
/// of partitions, the first <c>count % members</c> of them one extra.
/// </summary>
public sealed class RangeAssignor : IPartitionAssignor
{
    public string Name => PartitionAssignors.Range;

    public Dictionary<string, HashSet<TopicPartition>> Assign(IReadOnlyList<AssignorMember> members, IReadOnlyDictionary<string, int> partitionCounts)
    {
        var result = AssignorSupport.EmptyAssignment(members);
        foreach (var (topic, count) in AssignorSupport.SortedTopics(partitionCounts))
        {
            var subscribers = AssignorSupport.SubscribersOf(members, topic);
            if (subscribers.Count == 0)
            {
                continue;
            }

            var share = count / subscribers.Count;
            var extra = count % subscribers.Count;
            var next = 0;
            for (var i = 0; i < subscribers.Count; i++)
            {
                var take = share + (i < extra ? 1 : 0);
                for (var p = next; p < next + take; p++)
                {
                    result[subscribers[i]].Add(new TopicPartition(topic, p));
                }

                next += take;
            }
        }

        return result;
    }
}
