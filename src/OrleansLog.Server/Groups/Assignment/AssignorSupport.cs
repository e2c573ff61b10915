using OrleansLog.Groups;
using OrleansLog.Partitions;

namespace OrleansLog.Server.Groups.Assignment;

/// <summary>Helpers shared by the assignors, and the lookup of an assignor by its Kafka name.</summary>
public static class AssignorSupport
{
    private static readonly Dictionary<string, IPartitionAssignor> ByName = new IPartitionAssignor[]
    {
        new RangeAssignor(), new RoundRobinAssignor(), new CooperativeStickyAssignor(),
    }.ToDictionary(a => a.Name, StringComparer.Ordinal);

    public static IPartitionAssignor? Find(string name) => ByName.GetValueOrDefault(name);

    internal static Dictionary<string, HashSet<TopicPartition>> EmptyAssignment(IReadOnlyList<AssignorMember> members) =>
        members.ToDictionary(m => m.MemberId, _ => new HashSet<TopicPartition>(), StringComparer.Ordinal);

    internal static IEnumerable<KeyValuePair<string, int>> SortedTopics(IReadOnlyDictionary<string, int> partitionCounts) =>
        partitionCounts.OrderBy(t => t.Key, StringComparer.Ordinal);

    internal static List<string> SubscribersOf(IReadOnlyList<AssignorMember> members, string topic) =>
        members.Where(m => m.Topics.Contains(topic)).Select(m => m.MemberId).Order(StringComparer.Ordinal).ToList();
}
