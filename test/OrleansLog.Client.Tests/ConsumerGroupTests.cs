using System.Collections.Concurrent;
using OrleansLog.Client.Admin;
using OrleansLog.Client.Consuming;
using OrleansLog.Client.Producing;
using OrleansLog.Client.Serialization;
using OrleansLog.Groups;
using OrleansLog.Partitions;
using OrleansLog.Testing;

namespace OrleansLog.Client.Tests;

public class ConsumerGroupTests(ClientClusterFixture fixture) : IClassFixture<ClientClusterFixture>
{
    private OrleansLogClient Client => new(fixture.Grains);

    [Fact]
    public async Task Adding_a_consumer_moves_partitions_and_the_first_hears_of_the_revocation()
    {
        await Client.Admin.CreateTopicAsync("rebalance", 4);
        var revoked = new ConcurrentBag<TopicPartition>();
        using var first = Client.NewConsumer<string, string>(Config("rebalance-group"))
            .SetPartitionsRevokedHandler((_, partitions) => partitions.ToList().ForEach(revoked.Add))
            .Build();
        first.Subscribe("rebalance");
        await ConsumeUntil(first, () => first.Assignment.Count == 4, "the first consumer holds all four partitions");

        using var second = Client.CreateConsumer<string, string>(Config("rebalance-group"));
        second.Subscribe("rebalance");
        await ConsumeUntil([first, second], () => first.Assignment.Count == 2 && second.Assignment.Count == 2, "the partitions are split two and two");

        Assert.Equal(2, revoked.Count);
        Assert.Empty(first.Assignment.Intersect(second.Assignment));
        var group = await Client.Admin.DescribeGroupAsync("rebalance-group");
        Assert.Equal(2, group.Group.Members.Length);
        Assert.Equal(PartitionAssignors.CooperativeSticky, group.Group.Assignor);
    }

    [Fact]
    public async Task A_member_that_stops_heartbeating_loses_its_partitions_and_its_commit_is_refused()
    {
        await Client.Admin.CreateTopicAsync("zombie", 2);
        var group = fixture.Grains.GetGrain<IConsumerGroupGrain>("zombie-group");
        var zombie = await group.Join(new JoinGroupRequest(null, "zombie", ["zombie"], 500, PartitionAssignors.CooperativeSticky));
        Assert.Equal(2, zombie.Assignment.Length);

        using var live = Client.CreateConsumer<string, string>(Config("zombie-group"));
        live.Subscribe("zombie");
        await ConsumeUntil(live, () => live.Assignment.Count == 2, "the live consumer takes over after the zombie's session timeout");

        var commit = await group.CommitOffsets(new CommitOffsetsRequest(zombie.MemberId, zombie.Generation, [new CommittedOffset(new TopicPartition("zombie", 0), 1)]));
        Assert.Equal(ErrorCode.UnknownMemberId, commit.Error);
        var heartbeat = await group.Heartbeat(new HeartbeatRequest(zombie.MemberId, zombie.Generation, zombie.Assignment));
        Assert.Equal(ErrorCode.UnknownMemberId, heartbeat.Error);
    }

    [Fact]
    public async Task A_member_whose_session_expired_hears_its_partitions_were_lost_and_rejoins()
    {
        await Client.Admin.CreateTopicAsync("lossy", 2);
        var lost = new ConcurrentBag<TopicPartition>();
        var config = Config("lossy-group");
        config.ClientId = "lossy-client";
        config.SessionTimeout = TimeSpan.FromMilliseconds(600);
        using var consumer = Client.NewConsumer<string, string>(config)
            .SetPartitionsLostHandler((_, partitions) => partitions.ToList().ForEach(lost.Add))
            .Build();
        consumer.Subscribe("lossy");
        await ConsumeUntil(consumer, () => consumer.Assignment.Count == 2, "the consumer holds both partitions");
        var firstMember = consumer.MemberId;

        fixture.Faults.DropLossyHeartbeats = true;
        try
        {
            await Wait.Until(
                async () => (await fixture.Grains.GetGrain<IConsumerGroupGrain>("lossy-group").Describe()).Members.All(m => m.MemberId != firstMember),
                "the group expires the member whose heartbeats are lost");
        }
        finally
        {
            fixture.Faults.DropLossyHeartbeats = false;
        }

        await ConsumeUntil(consumer, () => lost.Count == 2 && consumer.Assignment.Count == 2 && consumer.MemberId != firstMember, "the partitions are lost, then assigned again to the rejoined member");
    }

    [Fact]
    public async Task A_session_lost_and_rejoined_between_two_consumes_still_reports_every_partition_lost()
    {
        await Client.Admin.CreateTopicAsync("lossy-quiet", 2);
        var lost = new ConcurrentBag<TopicPartition>();
        var assigned = new ConcurrentBag<TopicPartition>();
        var config = Config("lossy-quiet-group");
        config.ClientId = "lossy-quiet-client";
        config.SessionTimeout = TimeSpan.FromMilliseconds(600);
        using var consumer = Client.NewConsumer<string, string>(config)
            .SetPartitionsLostHandler((_, partitions) => partitions.ToList().ForEach(lost.Add))
            .SetPartitionsAssignedHandler((_, partitions) => partitions.ToList().ForEach(assigned.Add))
            .Build();
        consumer.Subscribe("lossy-quiet");
        await ConsumeUntil(consumer, () => consumer.Assignment.Count == 2, "the consumer holds both partitions");
        var firstMember = consumer.MemberId;
        var group = fixture.Grains.GetGrain<IConsumerGroupGrain>("lossy-quiet-group");

        // No Consume call until the group has expired the member and its session has rejoined and been given
        // both partitions back: the consumer sees the loss and the new assignment in one change.
        fixture.Faults.DropLossyHeartbeats = true;
        try
        {
            await Wait.Until(async () => (await group.Describe()).Members.All(m => m.MemberId != firstMember), "the group expires the member whose heartbeats are lost");
        }
        finally
        {
            fixture.Faults.DropLossyHeartbeats = false;
        }

        await Wait.Until(
            async () => (await group.Describe()).Members is [{ } member] && member.MemberId != firstMember && member.Assignment.Length == 2,
            "the session rejoins and gets both partitions back");
        await ConsumeUntil(consumer, () => lost.Count == 2 && consumer.Assignment.Count == 2, "the loss is reported and the partitions are assigned again");
        Assert.Equal([new TopicPartition("lossy-quiet", 0), new TopicPartition("lossy-quiet", 1)], lost.Order());
        Assert.Equal(4, assigned.Count);
    }

    [Fact]
    public async Task A_commit_that_cannot_reach_the_group_fails_as_a_retriable_error_and_closing_the_consumer_does_not_throw()
    {
        await Client.Admin.CreateTopicAsync("unreachable", 1);
        var consumer = Client.CreateConsumer<string, string>(new ConsumerConfig { GroupId = "unreachable-group", EnableAutoCommit = true, AutoOffsetReset = AutoOffsetReset.Earliest });
        consumer.Assign([new TopicPartitionOffset("unreachable", 0, 0)]);

        var error = await Assert.ThrowsAsync<OrleansLogException>(() => consumer.CommitAsync([new TopicPartitionOffset("unreachable", 0, 0)]));
        Assert.True(error.IsRetriable, error.Code.KafkaName());

        // Closing commits the positions once more (auto-commit); that failure is swallowed, not thrown.
        await consumer.DisposeAsync();
    }

    [Fact]
    public async Task New_partitions_of_a_subscribed_topic_are_assigned()
    {
        await Client.Admin.CreateTopicAsync("growing", 1);
        using var consumer = Client.CreateConsumer<string, string>(Config("growing-group"));
        consumer.Subscribe("growing");
        await ConsumeUntil(consumer, () => consumer.Assignment.Count == 1, "the consumer holds the one partition");
        await Client.Admin.CreatePartitionsAsync("growing", 3);
        await ConsumeUntil(consumer, () => consumer.Assignment.Count == 3, "the new partitions are assigned");
    }

    [Fact]
    public async Task Describe_shows_lag_and_reset_needs_an_empty_group()
    {
        await Client.Admin.CreateTopicAsync("lagging", 1);
        await using (var producer = Client.CreateProducer<Null?, string>())
        {
            for (var i = 0; i < 10; i++)
            {
                await producer.ProduceAsync("lagging", new Message<Null?, string> { Value = $"{i}" });
            }
        }

        var config = Config("lag-group");
        config.EnableAutoCommit = false;
        using (var consumer = Client.CreateConsumer<Null?, string>(config))
        {
            consumer.Subscribe("lagging");
            for (var i = 0; i < 4; i++)
            {
                Assert.NotNull(consumer.Consume(TimeSpan.FromSeconds(10)));
            }

            consumer.Commit();
            var details = await Client.Admin.DescribeGroupAsync("lag-group");
            var partition = Assert.Single(details.Partitions);
            Assert.Equal(4, partition.CommittedOffset);
            Assert.Equal(10, partition.EndOffset);
            Assert.Equal(6, partition.Lag);
            Assert.Equal(consumer.MemberId, partition.MemberId);

            var busy = await Assert.ThrowsAsync<OrleansLogException>(() => Client.Admin.ResetGroupOffsetsAsync("lag-group", "lagging", OffsetResetSpec.Earliest));
            Assert.Equal(ErrorCode.NonEmptyGroup, busy.Code);
        }

        Assert.Equal(0, (await Client.Admin.ResetGroupOffsetsAsync("lag-group", "lagging", OffsetResetSpec.Earliest)).Single().Offset);
        Assert.Equal(7, (await Client.Admin.ResetGroupOffsetsAsync("lag-group", "lagging", OffsetResetSpec.ToOffset(7))).Single().Offset);
        Assert.Equal(10, (await Client.Admin.ResetGroupOffsetsAsync("lag-group", "lagging", OffsetResetSpec.ToOffset(99))).Single().Offset);
        Assert.Equal(0, (await Client.Admin.ResetGroupOffsetsAsync("lag-group", "lagging", OffsetResetSpec.ToTimestamp(0), dryRun: true)).Single().Offset);
        Assert.Equal(10, (await Client.Admin.ResetGroupOffsetsAsync("lag-group", "lagging", OffsetResetSpec.ToTimestamp(DateTimeOffset.UtcNow.AddDays(1).ToUnixTimeMilliseconds()), dryRun: true)).Single().Offset);
        Assert.Equal(10, (await Client.Admin.DescribeGroupAsync("lag-group")).Partitions.Single().CommittedOffset);
        Assert.Contains("lag-group", await Client.Admin.ListGroupsAsync());

        await Client.Admin.DeleteGroupAsync("lag-group");
        Assert.DoesNotContain("lag-group", await Client.Admin.ListGroupsAsync());
        Assert.Equal(ErrorCode.GroupIdNotFound, (await Assert.ThrowsAsync<OrleansLogException>(() => Client.Admin.DescribeGroupAsync("lag-group"))).Code);
    }

    [Fact]
    public async Task Offsets_of_a_deleted_topic_are_dropped()
    {
        await Client.Admin.CreateTopicAsync("doomed", 1);
        await Client.Admin.ResetGroupOffsetsAsync("doomed-group", "doomed", OffsetResetSpec.Latest);
        Assert.Single((await Client.Admin.DescribeGroupAsync("doomed-group")).Partitions);

        await Client.Admin.DeleteTopicAsync("doomed");
        await Client.Admin.CreateTopicAsync("doomed", 1);
        using var consumer = Client.CreateConsumer<string, string>(Config("doomed-group"));
        consumer.Subscribe("doomed");
        await ConsumeUntil(consumer, () => consumer.Assignment.Count == 1, "the consumer holds the recreated partition");
        Assert.Null((await Client.Admin.DescribeGroupAsync("doomed-group")).Partitions.Single().CommittedOffset);
    }

    [Fact]
    public async Task A_group_without_members_stops_reporting_a_deleted_topic_while_something_keeps_reading_it()
    {
        await Client.Admin.CreateTopicAsync("deleted-under-reader", 2);
        await Client.Admin.CreateTopicAsync("kept-under-reader", 1);
        await Client.Admin.ResetGroupOffsetsAsync("idle-reader-group", "deleted-under-reader", OffsetResetSpec.Latest);
        await Client.Admin.ResetGroupOffsetsAsync("idle-reader-group", "kept-under-reader", OffsetResetSpec.Latest);
        Assert.Equal(3, (await Client.Admin.DescribeGroupAsync("idle-reader-group")).Partitions.Count);

        // The activation stays alive under these reads (as under the console's lag sampling), so only the
        // read path can notice the deletion: within one metadata refresh interval.
        await Client.Admin.DeleteTopicAsync("deleted-under-reader");
        await Wait.Until(
            async () => (await Client.Admin.DescribeGroupAsync("idle-reader-group")).Partitions.All(p => p.Partition.Topic == "kept-under-reader"),
            "the group's description drops the deleted topic's offsets",
            TimeSpan.FromSeconds(60));

        var left = await fixture.Grains.GetGrain<IConsumerGroupGrain>("idle-reader-group").FetchOffsets([]);
        Assert.Equal(new TopicPartition("kept-under-reader", 0), Assert.Single(left).Partition);
    }

    [Fact]
    public async Task Group_requests_are_validated()
    {
        var group = fixture.Grains.GetGrain<IConsumerGroupGrain>("validated");
        Assert.Equal(ErrorCode.InvalidSessionTimeout, (await group.Join(new JoinGroupRequest(null, "c", ["t"], 50, PartitionAssignors.Range))).Error);
        Assert.Equal(ErrorCode.InvalidGroupId, (await Assert.ThrowsAsync<OrleansLogException>(() => Client.Admin.DeleteGroupAsync(""))).Code);
        Assert.Equal(ErrorCode.GroupIdNotFound, (await Assert.ThrowsAsync<OrleansLogException>(() => Client.Admin.DeleteGroupAsync("never-existed"))).Code);
        await Client.Admin.CreateTopicAsync("validated-topic", 1);
        var join = await group.Join(new JoinGroupRequest(null, "c", ["validated-topic"], 5_000, PartitionAssignors.Range));
        var negative = await group.CommitOffsets(new CommitOffsetsRequest(join.MemberId, join.Generation, [new CommittedOffset(new TopicPartition("validated-topic", 0), -5)]));
        Assert.Equal(ErrorCode.InvalidCommitOffsetSize, negative.Error);
        await group.Leave(join.MemberId);
        var unknown = await group.CommitOffsets(new CommitOffsetsRequest(null, -1, [new CommittedOffset(new TopicPartition("validated-topic", 7), 1)]));
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, unknown.Error);
    }

    private static ConsumerConfig Config(string groupId) => new()
    {
        GroupId = groupId,
        SessionTimeout = TimeSpan.FromSeconds(2),
        HeartbeatInterval = TimeSpan.FromMilliseconds(100),
        AutoOffsetReset = AutoOffsetReset.Earliest,
        FetchMaxWait = TimeSpan.FromMilliseconds(50),
    };

    /// <summary>Keeps consuming (assignment changes apply inside consume calls) until the condition holds.</summary>
    private static Task ConsumeUntil(Consumer<string, string> consumer, Func<bool> condition, string what) => ConsumeUntil([consumer], condition, what);

    /// <remarks>
    /// On a thread of its own, as an application runs its poll loop: Consume blocks its caller, and blocking
    /// thread-pool threads here (two on this machine) starved the in-process silo for most of a second, longer
    /// than the short sessions these tests use.
    /// </remarks>
    private static Task ConsumeUntil(Consumer<string, string>[] consumers, Func<bool> condition, string what) => Task.Factory.StartNew(
        () =>
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
            while (true)
            {
                foreach (var consumer in consumers)
                {
                    consumer.Consume(TimeSpan.FromMilliseconds(20));
                }

                if (condition())
                {
                    return;
                }

                if (DateTime.UtcNow > deadline)
                {
                    Assert.Fail($"Timed out waiting until {what}.");
                }
            }
        },
        CancellationToken.None,
        TaskCreationOptions.LongRunning,
        TaskScheduler.Default);
}
