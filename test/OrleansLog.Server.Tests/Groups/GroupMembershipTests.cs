using OrleansLog.Groups;
using OrleansLog.Partitions;
using OrleansLog.Server.Groups;

namespace OrleansLog.Server.Tests.Groups;

public class GroupMembershipTests
{
    private static readonly Dictionary<string, int> Counts = new() { ["t"] = 4 };
    private readonly GroupMembership _group = new("g", new GroupCoordinatorOptions());
    private readonly DateTimeOffset _now = DateTimeOffset.UnixEpoch;

    [Fact]
    public void A_partition_moves_only_after_its_holder_releases_it()
    {
        var first = Join("c1");
        Assert.Equal(4, _group.Answer(first).Assignment.Length);

        var second = Join("c2");
        var secondView = _group.Answer(second);
        Assert.Empty(secondView.Assignment);
        Assert.True(secondView.Pending);
        Assert.Equal(GroupState.Rebalancing, _group.State);

        // c1 is told to keep two; until it reports that, c2 gets nothing.
        var firstView = _group.Heartbeat(first, Partitions(0, 1, 2, 3), _now);
        Assert.Equal(2, firstView.Assignment.Length);
        Assert.Empty(_group.Heartbeat(second, [], _now).Assignment);

        _group.Heartbeat(first, firstView.Assignment, _now);
        var granted = _group.Heartbeat(second, [], _now);
        Assert.Equal(2, granted.Assignment.Length);
        Assert.False(granted.Pending);
        Assert.Empty(granted.Assignment.Intersect(firstView.Assignment));
        Assert.Equal(GroupState.Stable, _group.State);
    }

    [Fact]
    public void An_expired_member_loses_its_partitions_and_its_commits_are_refused()
    {
        var zombie = Join("zombie");
        var live = Join("live");
        _group.Heartbeat(zombie, _group.Answer(zombie).Assignment, _now);
        _group.Heartbeat(live, [], _now + TimeSpan.FromSeconds(40));

        Assert.Equal(["zombie-" + zombie.MemberId.Split('-')[1]], _group.ExpireMembers(_now + TimeSpan.FromSeconds(46)));
        _group.Rebalance(Counts);
        Assert.Equal(4, _group.Heartbeat(live, [], _now + TimeSpan.FromSeconds(46)).Assignment.Length);

        var refused = _group.ValidateCommit(new CommitOffsetsRequest(zombie.MemberId, _group.Generation, [new CommittedOffset(new TopicPartition("t", 0), 5)]));
        Assert.Equal(ErrorCode.UnknownMemberId, refused!.Error);
    }

    [Fact]
    public void Only_the_holder_may_commit_a_partition()
    {
        var first = Join("c1");
        var second = Join("c2");
        var firstView = _group.Heartbeat(first, Partitions(0, 1, 2, 3), _now);
        _group.Heartbeat(first, firstView.Assignment, _now);
        var mine = _group.Heartbeat(second, [], _now).Assignment;

        var theirs = firstView.Assignment[0];
        Assert.Null(_group.ValidateCommit(new CommitOffsetsRequest(second.MemberId, _group.Generation, [new CommittedOffset(mine[0], 1)])));
        Assert.Equal(ErrorCode.IllegalGeneration, _group.ValidateCommit(new CommitOffsetsRequest(second.MemberId, _group.Generation, [new CommittedOffset(theirs, 1)]))!.Error);
        Assert.Equal(ErrorCode.IllegalGeneration, _group.ValidateCommit(new CommitOffsetsRequest(second.MemberId, _group.Generation + 1, [new CommittedOffset(mine[0], 1)]))!.Error);
        Assert.Equal(ErrorCode.UnknownMemberId, _group.ValidateCommit(new CommitOffsetsRequest(null, -1, [new CommittedOffset(mine[0], 1)]))!.Error);
    }

    [Fact]
    public void Joins_are_validated()
    {
        Assert.Equal(ErrorCode.InvalidSessionTimeout, _group.ValidateJoin(Request(sessionTimeoutMs: 10))!.Error);
        Assert.Equal(ErrorCode.InconsistentGroupProtocol, _group.ValidateJoin(Request(assignor: "sticky-ish"))!.Error);
        Assert.Equal(ErrorCode.InvalidRequest, _group.ValidateJoin(Request(topics: []))!.Error);
        Join("c1");
        Assert.Equal(ErrorCode.InconsistentGroupProtocol, _group.ValidateJoin(Request(assignor: PartitionAssignors.Range))!.Error);
    }

    [Fact]
    public void A_group_refuses_members_beyond_its_maximum_size()
    {
        var small = new GroupMembership("g", new GroupCoordinatorOptions { MaxGroupSize = 1 });
        small.Join(Request(), _now);
        Assert.Equal(ErrorCode.GroupMaxSizeReached, small.ValidateJoin(Request())!.Error);
    }

    [Fact]
    public void New_partitions_are_assigned_on_rebalance()
    {
        var member = Join("c1");
        Assert.True(_group.Rebalance(new Dictionary<string, int> { ["t"] = 6 }));
        Assert.Equal(6, _group.Answer(member).Assignment.Length);
        Assert.False(_group.Rebalance(new Dictionary<string, int> { ["t"] = 6 }));
    }

    private GroupMember Join(string clientId)
    {
        var request = Request(clientId: clientId);
        Assert.Null(_group.ValidateJoin(request));
        var (member, _) = _group.Join(request, _now);
        _group.Rebalance(Counts);
        return member;
    }

    private static JoinGroupRequest Request(string clientId = "c", string assignor = PartitionAssignors.CooperativeSticky, int sessionTimeoutMs = 45_000, string[]? topics = null) =>
        new(null, clientId, [.. topics ?? ["t"]], sessionTimeoutMs, assignor);

    private static TopicPartition[] Partitions(params int[] numbers) => [.. numbers.Select(n => new TopicPartition("t", n))];
}
