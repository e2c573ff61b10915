using OrleansLog.Testing;

namespace OrleansLog.Cluster.Tests;

/// <summary>The exactly-once checker finds each kind of violation it exists for.</summary>
public class ExactlyOnceHistoryTests
{
    private static readonly List<(string, string)> Input = [("a", "a:0"), ("b", "b:0"), ("a", "a:1"), ("a", "a:2")];

    [Fact]
    public void A_faithful_copy_passes_in_any_interleaving_of_keys() =>
        Assert.Empty(ExactlyOnceHistory.Violations(Input, [("a", "a:0|out"), ("a", "a:1|out"), ("b", "b:0|out"), ("a", "a:2|out")]));

    [Fact]
    public void Lost_duplicated_invented_and_reordered_records_are_each_reported()
    {
        var violations = ExactlyOnceHistory.Violations(Input, [("a", "a:1|out"), ("a", "a:0|out"), ("a", "a:1|out"), ("a", "a:9|out"), ("c", "c:0|out")]);
        Assert.Contains("lost: a=a:2|out", violations);
        Assert.Contains("lost: b=b:0|out", violations);
        Assert.Contains("duplicated 2 times: a=a:1|out", violations);
        Assert.Contains("never consumed: a=a:9|out", violations);
        Assert.Contains("out of order for a: a:0|out after a:1|out", violations);
        Assert.Contains("a key never consumed: c", violations);
    }
}
