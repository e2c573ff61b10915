using OrleansLog.Partitions;
using OrleansLog.Server.Groups.Assignment;

namespace OrleansLog.Server.Tests.Groups;

public class AssignorTests
{
    private static readonly Dictionary<string, int> TwoTopics = new() { ["a"] = 3, ["b"] = 3 };

    [Fact]
    public void Range_gives_each_member_a_contiguous_range_per_topic()
    {
        var result = new RangeAssignor().Assign([Member("m1", "a", "b"), Member("m2", "a", "b")], TwoTopics);
        Assert.Equal(["a-0", "a-1", "b-0", "b-1"], Names(result["m1"]));
        Assert.Equal(["a-2", "b-2"], Names(result["m2"]));
    }

    [Fact]
    public void Round_robin_deals_partitions_across_topics()
    {
        var result = new RoundRobinAssignor().Assign([Member("m1", "a", "b"), Member("m2", "a", "b")], TwoTopics);
        Assert.Equal(["a-0", "a-2", "b-1"], Names(result["m1"]));
        Assert.Equal(["a-1", "b-0", "b-2"], Names(result["m2"]));
    }

    [Fact]
    public void Assignors_only_give_members_topics_they_subscribe_to()
    {
        foreach (var assignor in Assignors())
        {
            var result = assignor.Assign([Member("m1", "a"), Member("m2", "b")], TwoTopics);
            Assert.All(result["m1"], p => Assert.Equal("a", p.Topic));
            Assert.All(result["m2"], p => Assert.Equal("b", p.Topic));
            Assert.Equal(6, result.Values.Sum(s => s.Count));
        }
    }

    [Fact]
    public void Every_partition_goes_to_exactly_one_member()
    {
        foreach (var assignor in Assignors())
        {
            var members = Enumerable.Range(0, 4).Select(i => Member($"m{i}", "a", "b")).ToList();
            var result = assignor.Assign(members, new Dictionary<string, int> { ["a"] = 7, ["b"] = 5 });
            var all = result.Values.SelectMany(s => s).ToList();
            Assert.Equal(12, all.Count);
            Assert.Equal(12, all.Distinct().Count());
            if (assignor is not RangeAssignor)
            {
                // Range balances per topic, not overall (as in Kafka).
                Assert.True(result.Values.Max(s => s.Count) - result.Values.Min(s => s.Count) <= 1, assignor.Name);
            }
        }
    }

    [Fact]
    public void Cooperative_sticky_keeps_owned_partitions_when_a_member_joins()
    {
        var assignor = new CooperativeStickyAssignor();
        var counts = new Dictionary<string, int> { ["a"] = 6 };
        var first = assignor.Assign([Member("m1", "a"), Member("m2", "a")], counts);
        var second = assignor.Assign(
            [Member("m1", first["m1"], "a"), Member("m2", first["m2"], "a"), Member("m3", "a")],
            counts);

        Assert.Equal(2, second["m3"].Count);
        Assert.Subset(first["m1"], second["m1"]);
        Assert.Subset(first["m2"], second["m2"]);
        Assert.Equal(2, second["m1"].Count);
        Assert.Equal(2, second["m2"].Count);
    }

    [Fact]
    public void Cooperative_sticky_keeps_survivors_partitions_when_a_member_leaves()
    {
        var assignor = new CooperativeStickyAssignor();
        var counts = new Dictionary<string, int> { ["a"] = 6 };
        var first = assignor.Assign([Member("m1", "a"), Member("m2", "a"), Member("m3", "a")], counts);
        var second = assignor.Assign([Member("m1", first["m1"], "a"), Member("m3", first["m3"], "a")], counts);

        Assert.Subset(second["m1"], first["m1"]);
        Assert.Subset(second["m3"], first["m3"]);
        Assert.Equal(3, second["m1"].Count);
        Assert.Equal(3, second["m3"].Count);
    }

    private static IPartitionAssignor[] Assignors() => [new RangeAssignor(), new RoundRobinAssignor(), new CooperativeStickyAssignor()];

    private static AssignorMember Member(string id, params string[] topics) => new(id, topics, new HashSet<TopicPartition>());

    private static AssignorMember Member(string id, HashSet<TopicPartition> owned, params string[] topics) => new(id, topics, owned);

    private static List<string> Names(IEnumerable<TopicPartition> partitions) =>
        [.. partitions.Select(p => p.ToString()).Order(StringComparer.Ordinal)];
}
