using OrleansLog.Groups;
using OrleansLog.Partitions;

namespace OrleansLog.Server.Groups.Assignment;

/// <summary>
/// Kafka's cooperative-sticky assignor: balanced (partition counts of members that could share differ
/// by at most one), and otherwise each member keeps what it holds, so a rebalance moves as few
/// partitions as it can. Steps: keep owned partitions that are still subscribed, up to a fair share;
/// give every unowned partition to the least loaded subscriber; then move partitions from the most to
/// the least loaded member until no move improves balance.
/// </summary>
public sealed class CooperativeStickyAssignor : IPartitionAssignor
{
    public string Name => PartitionAssignors.CooperativeSticky;

    public Dictionary<string, HashSet<TopicPartition>> Assign(IReadOnlyList<AssignorMember> members, IReadOnlyDictionary<string, int> partitionCounts)
    {
        var result = AssignorSupport.EmptyAssignment(members);
        var ordered = members.OrderBy(m => m.MemberId, StringComparer.Ordinal).ToArray();
        if (ordered.Length == 0)
        {
            return result;
        }

        var all = new List<TopicPartition>();
        foreach (var (topic, count) in AssignorSupport.SortedTopics(partitionCounts))
        {
            if (ordered.Any(m => m.Topics.Contains(topic)))
            {
                for (var p = 0; p < count; p++)
                {
                    all.Add(new TopicPartition(topic, p));
                }
            }
        }

        var fairShare = (all.Count + ordered.Length - 1) / ordered.Length;
        var taken = new HashSet<TopicPartition>();
        foreach (var member in ordered)
        {
            foreach (var partition in member.Owned.Order())
            {
                if (result[member.MemberId].Count < fairShare
                    && member.Topics.Contains(partition.Topic)
                    && partition.Partition < partitionCounts.GetValueOrDefault(partition.Topic)
                    && taken.Add(partition))
                {
                    result[member.MemberId].Add(partition);
                }
            }
        }

        foreach (var partition in all)
        {
            if (!taken.Contains(partition))
            {
                var target = LeastLoaded(ordered, result, partition.Topic);
                result[target.MemberId].Add(partition);
            }
        }

        Balance(ordered, result);
        return result;
    }

    private static AssignorMember LeastLoaded(AssignorMember[] members, Dictionary<string, HashSet<TopicPartition>> result, string topic)
    {
        AssignorMember? best = null;
        foreach (var member in members)
        {
            if (member.Topics.Contains(topic) && (best is null || result[member.MemberId].Count < result[best.MemberId].Count))
            {
                best = member;
            }
        }

        return best!;
    }

    /// <summary>Moves one partition at a time from a member to a less loaded one that can take it, while that narrows the gap by two.</summary>
    private static void Balance(AssignorMember[] members, Dictionary<string, HashSet<TopicPartition>> result)
    {
        var moved = true;
        while (moved)
        {
            moved = false;
            foreach (var from in members.OrderByDescending(m => result[m.MemberId].Count))
            {
                foreach (var to in members.OrderBy(m => result[m.MemberId].Count))
                {
                    if (result[from.MemberId].Count - result[to.MemberId].Count < 2)
                    {
                        break;
                    }

                    var candidate = result[from.MemberId]
                        .Where(p => to.Topics.Contains(p.Topic))
                        .OrderBy(p => from.Owned.Contains(p) ? 1 : 0)
                        .ThenByDescending(p => p.Partition)
                        .Select(p => (TopicPartition?)p)
                        .FirstOrDefault();
                    if (candidate is { } partition)
                    {
                        result[from.MemberId].Remove(partition);
                        result[to.MemberId].Add(partition);
                        moved = true;
                        break;
                    }
                }

                if (moved)
                {
                    break;
                }
            }
        }
    }
}
