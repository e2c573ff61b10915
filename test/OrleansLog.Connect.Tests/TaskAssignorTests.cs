using OrleansLog.Connect.Runtime;

namespace OrleansLog.Connect.Tests;

public sealed class TaskAssignorTests
{
    private static readonly string[] Tasks = ["a-0", "a-1", "a-2", "b-0", "b-1", "b-2", "b-3"];

    [Fact]
    public void A_first_assignment_spreads_tasks_evenly()
    {
        var placement = TaskAssignor.Assign(Tasks, ["s1", "s2", "s3"], new Dictionary<string, string>());

        Assert.Equal(Tasks.Length, placement.Count);
        AssertBalanced(placement, 3);
    }

    [Fact]
    public void Tasks_stay_where_they_run_while_their_silo_lives_and_holds_its_share()
    {
        var first = TaskAssignor.Assign(Tasks, ["s1", "s2", "s3"], new Dictionary<string, string>());

        var again = TaskAssignor.Assign(Tasks, ["s1", "s2", "s3"], first);

        Assert.Equal(first, again);
    }

    [Fact]
    public void Only_the_tasks_of_a_dead_silo_move_and_the_rest_stays_balanced()
    {
        var first = TaskAssignor.Assign(Tasks, ["s1", "s2", "s3"], new Dictionary<string, string>());

        var after = TaskAssignor.Assign(Tasks, ["s1", "s3"], first);

        Assert.DoesNotContain("s2", after.Values);
        Assert.All(first.Where(p => p.Value != "s2"), p => Assert.Equal(p.Value, after[p.Key]));
        AssertBalanced(after, 2);
    }

    [Fact]
    public void A_joining_silo_takes_its_share_from_the_loaded_ones_and_nothing_else_moves()
    {
        var first = TaskAssignor.Assign(Tasks, ["s1", "s2"], new Dictionary<string, string>());

        var after = TaskAssignor.Assign(Tasks, ["s1", "s2", "s3"], first);

        AssertBalanced(after, 3);
        var moved = after.Where(p => first[p.Key] != p.Value).ToList();
        Assert.All(moved, p => Assert.Equal("s3", p.Value));
        Assert.Equal(after.Count(p => p.Value == "s3"), moved.Count);
    }

    [Fact]
    public void New_and_removed_tasks_are_placed_and_forgotten()
    {
        var first = TaskAssignor.Assign(Tasks, ["s1", "s2"], new Dictionary<string, string>());

        var after = TaskAssignor.Assign(["a-0", "a-1", "c-0"], ["s1", "s2"], first);

        Assert.Equal(["a-0", "a-1", "c-0"], after.Keys.Order());
        AssertBalanced(after, 2);
    }

    [Fact]
    public void No_silo_places_nothing()
    {
        Assert.Empty(TaskAssignor.Assign(Tasks, Array.Empty<string>(), new Dictionary<string, string>()));
    }

    private static void AssertBalanced(Dictionary<string, string> placement, int silos)
    {
        var counts = placement.GroupBy(p => p.Value).Select(g => g.Count()).ToList();
        Assert.Equal(Math.Min(silos, placement.Count), counts.Count);
        Assert.True(counts.Max() - counts.Min() <= 1, $"unbalanced: {string.Join(",", counts)}");
    }
}
