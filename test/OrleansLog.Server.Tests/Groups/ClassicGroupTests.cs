using System.Collections.Immutable;
using OrleansLog.Groups;
using OrleansLog.Partitions;
using OrleansLog.Server.Groups;
using OrleansLog.Server.Groups.Classic;

namespace OrleansLog.Server.Tests.Groups;

public class ClassicGroupTests
{
    private static readonly TimeSpan Delay = TimeSpan.FromMilliseconds(300);
    private readonly ClassicGroup _group = new("g", new GroupCoordinatorOptions { InitialRebalanceDelay = Delay });
    private DateTimeOffset _now = DateTimeOffset.UnixEpoch;

    [Fact]
    public void Members_that_join_within_the_initial_delay_share_one_generation_and_only_the_leader_sees_the_members()
    {
        var first = _group.Join(Request("a"), _now);
        var second = _group.Join(Request("b"), _now);
        Assert.True(first.Pending && second.Pending);

        _now += Delay;
        var firstAnswer = _group.Join(Resume(first.MemberId, "a"), _now);
        var secondAnswer = _group.Join(Resume(second.MemberId, "b"), _now);

        Assert.Equal(1, firstAnswer.Generation);
        Assert.Equal(firstAnswer.Generation, secondAnswer.Generation);
        Assert.Equal(first.MemberId, firstAnswer.Leader);
        Assert.Equal(first.MemberId, secondAnswer.Leader);
        Assert.Equal("range", firstAnswer.ProtocolName);
        Assert.Equal(2, firstAnswer.Members.Length);
        Assert.Empty(secondAnswer.Members);
        Assert.Equal(ClassicGroupPhase.CompletingRebalance, _group.Phase);
    }

    [Fact]
    public void A_follower_waits_for_the_leaders_assignments_and_then_gets_its_own()
    {
        var (leader, follower) = TwoMembers();
        var waiting = _group.Sync(new ClassicSyncRequest(follower, 1, ImmutableDictionary<string, ReadOnlyMemory<byte>>.Empty), _now);
        Assert.True(waiting.Pending);

        var assignments = ImmutableDictionary<string, ReadOnlyMemory<byte>>.Empty.Add(leader, new byte[] { 1 }).Add(follower, new byte[] { 2 });
        var leaderAnswer = _group.Sync(new ClassicSyncRequest(leader, 1, assignments), _now);
        var followerAnswer = _group.Sync(new ClassicSyncRequest(follower, 1, ImmutableDictionary<string, ReadOnlyMemory<byte>>.Empty, Resume: true), _now);

        Assert.Equal([1], leaderAnswer.Assignment.ToArray());
        Assert.Equal([2], followerAnswer.Assignment.ToArray());
        Assert.Equal(ClassicGroupPhase.Stable, _group.Phase);
    }

    [Fact]
    public void A_newcomer_makes_the_stable_members_rejoin_through_their_heartbeats()
    {
        var (leader, follower) = Stable();

        _group.Join(Request("c"), _now);

        Assert.Equal(ErrorCode.RebalanceInProgress, _group.Heartbeat(leader, 1, _now));
        Assert.Equal(ErrorCode.RebalanceInProgress, _group.Heartbeat(follower, 1, _now));
        _group.Join(Request("a", leader), _now);
        var answer = _group.Join(Request("b", follower), _now);
        Assert.Equal(2, answer.Generation);
        Assert.Equal(3, _group.Members.Count);
        Assert.Equal(ErrorCode.IllegalGeneration, _group.Heartbeat(leader, 1, _now));
    }

    [Fact]
    public void A_member_that_leaves_is_gone_at_once_and_the_rest_rebalance_without_it()
    {
        var (leader, follower) = Stable();

        Assert.Equal(ErrorCode.None, _group.Leave(follower, _now));

        Assert.Equal(ClassicGroupPhase.PreparingRebalance, _group.Phase);
        var answer = _group.Join(Request("a", leader), _now);
        Assert.False(answer.Pending);
        Assert.Equal(2, answer.Generation);
        Assert.Single(answer.Members);
        Assert.Equal(ErrorCode.UnknownMemberId, _group.Heartbeat(follower, 2, _now));
    }

    [Fact]
    public void A_member_whose_session_ran_out_is_removed_and_cannot_commit()
    {
        var (leader, follower) = Stable();
        _now += TimeSpan.FromSeconds(7);
        _group.Heartbeat(leader, 1, _now);
        _now += TimeSpan.FromSeconds(4);

        _group.Tick(_now);

        Assert.Single(_group.Members);
        Assert.Equal(ErrorCode.UnknownMemberId, _group.ValidateCommit(follower, 1, _now)!.Value.Error);
    }

    [Fact]
    public void A_rebalance_completes_without_members_that_do_not_rejoin_in_time()
    {
        var (leader, follower) = Stable();
        _group.Join(Request("a", leader, protocols: ["range", "roundrobin"]), _now);
        Assert.True(_group.IsPreparing);

        _now += TimeSpan.FromSeconds(10);
        _group.Tick(_now);

        Assert.Equal(ClassicGroupPhase.CompletingRebalance, _group.Phase);
        Assert.Equal([leader], _group.Members.Select(m => m.MemberId));
        Assert.Equal(ErrorCode.UnknownMemberId, _group.Heartbeat(follower, 1, _now));
    }

    [Fact]
    public void A_commit_from_an_older_generation_is_refused_and_one_from_the_current_one_accepted()
    {
        var (leader, _) = Stable();

        Assert.Null(_group.ValidateCommit(leader, 1, _now));
        Assert.Equal(ErrorCode.IllegalGeneration, _group.ValidateCommit(leader, 0, _now)!.Value.Error);
        Assert.Equal(ErrorCode.UnknownMemberId, _group.ValidateCommit("", -1, _now)!.Value.Error);
    }

    [Fact]
    public void The_protocol_is_the_one_most_members_prefer_among_those_all_support()
    {
        _group.Join(Request("a", protocols: ["roundrobin", "range"]), _now);
        _group.Join(Request("b", protocols: ["range", "roundrobin"]), _now);
        var third = _group.Join(Request("c", protocols: ["range"]), _now);
        _now += Delay;

        Assert.Equal("range", _group.Join(Resume(third.MemberId, "c", protocols: ["range"]), _now).ProtocolName);
    }

    [Theory]
    [InlineData("consumer", new[] { "sticky" }, 10_000, ErrorCode.InconsistentGroupProtocol)]
    [InlineData("connect", new[] { "range" }, 10_000, ErrorCode.InconsistentGroupProtocol)]
    [InlineData("consumer", new[] { "range" }, 1_000, ErrorCode.InvalidSessionTimeout)]
    [InlineData("consumer", new string[0], 10_000, ErrorCode.InconsistentGroupProtocol)]
    public void A_join_the_group_cannot_take_is_refused_with_a_specific_error(string protocolType, string[] protocols, int sessionTimeoutMs, ErrorCode expected)
    {
        _group.Join(Request("a"), _now);

        var refused = _group.Join(Request("b", protocols: protocols, protocolType: protocolType, sessionTimeoutMs: sessionTimeoutMs), _now);

        Assert.Equal(expected, refused.Error);
        Assert.Single(_group.Members);
    }

    [Fact]
    public void An_unknown_member_id_is_refused()
    {
        Assert.Equal(ErrorCode.UnknownMemberId, _group.Join(Request("a", "made-up"), _now).Error);
        Assert.Equal(ErrorCode.UnknownMemberId, _group.Sync(new ClassicSyncRequest("made-up", 0, ImmutableDictionary<string, ReadOnlyMemory<byte>>.Empty), _now).Error);
    }

    [Fact]
    public void Consumer_protocol_bytes_describe_the_subscription_and_the_assignment()
    {
        var assignment = ConsumerProtocolFormat.EncodeAssignment([new TopicPartition("t", 0), new TopicPartition("t", 3), new TopicPartition("u", 1)]);

        Assert.Equal([new TopicPartition("t", 0), new TopicPartition("t", 3), new TopicPartition("u", 1)], ConsumerProtocolFormat.AssignedPartitions(assignment).ToArray());
        Assert.Equal(["t", "u"], ConsumerProtocolFormat.SubscribedTopics(Subscription("t", "u")).ToArray());
        Assert.Empty(ConsumerProtocolFormat.SubscribedTopics([0, 0, 0x7f, 0xff, 0xff, 0xff]));
        Assert.Empty(ConsumerProtocolFormat.AssignedPartitions([1, 2, 3]));
    }

    private (string Leader, string Follower) TwoMembers()
    {
        var first = _group.Join(Request("a"), _now);
        var second = _group.Join(Request("b"), _now);
        _now += Delay;
        _group.Join(Resume(first.MemberId, "a"), _now);
        _group.Join(Resume(second.MemberId, "b"), _now);
        return (first.MemberId, second.MemberId);
    }

    private (string Leader, string Follower) Stable()
    {
        var (leader, follower) = TwoMembers();
        _group.Sync(new ClassicSyncRequest(leader, 1, ImmutableDictionary<string, ReadOnlyMemory<byte>>.Empty), _now);
        Assert.Equal(ClassicGroupPhase.Stable, _group.Phase);
        return (leader, follower);
    }

    private static ClassicJoinRequest Resume(string memberId, string client, string[]? protocols = null) =>
        Request(client, memberId, protocols) with { Resume = true };

    private static ClassicJoinRequest Request(string client, string memberId = "", string[]? protocols = null, string protocolType = "consumer", int sessionTimeoutMs = 10_000) =>
        new(memberId, null, client, "/127.0.0.1", sessionTimeoutMs, 5_000, protocolType,
            [.. (protocols ?? ["range"]).Select(p => new ClassicProtocol(p, Subscription("t")))]);

    private static byte[] Subscription(params string[] topics)
    {
        var bytes = new List<byte> { 0, 0, 0, 0, 0, (byte)topics.Length };
        foreach (var topic in topics)
        {
            bytes.AddRange([0, (byte)topic.Length]);
            bytes.AddRange(System.Text.Encoding.ASCII.GetBytes(topic));
        }

        bytes.AddRange([0xff, 0xff, 0xff, 0xff]);
        return [.. bytes];
    }
}
