using System.Collections.Immutable;
using Microsoft.Extensions.Configuration;
using Orleans.TestingHost;
using OrleansLog.Groups;
using OrleansLog.Metadata;
using OrleansLog.Partitions;
using OrleansLog.Server.Groups;
using OrleansLog.Server.Partitions;
using OrleansLog.Server.Topics;
using OrleansLog.Testing;
using OrleansLog.Topics;

namespace OrleansLog.Server.Tests.Groups;

/// <summary>
/// State a client can create by naming things is bounded: a topic, partition or group that does not exist
/// leaves no activation behind; a group id that breaks Kafka's rules is refused; offsets of a group idle
/// longer than <c>offsets.retention.minutes</c> expire, while a group with members keeps them.
/// </summary>
public class ClientKeyedStateTests(ClientKeyedStateTests.ShortRetentionFixture fixture) : IClassFixture<ClientKeyedStateTests.ShortRetentionFixture>
{
    private IMetadataGrain Coordinator => fixture.Grains.GetGrain<IMetadataGrain>(IMetadataGrain.ClusterKey);

    [Fact]
    public async Task A_partition_or_topic_that_does_not_exist_leaves_no_activation_behind()
    {
        var partition = fixture.Grains.GetPartitionGrain("no-such-topic", 3);
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, (await partition.Fetch(new FetchRequest(0, MaxWaitMs: 0))).Error);
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, (await partition.Produce(new ProduceRequest(Batches.Of("a")))).Error);
        Assert.Null(await fixture.Grains.GetGrain<ITopicGrain>("no-such-topic").TryGetMetadata());

        await Wait.Until(async () => await Activations<PartitionGrain>("no-such-topic") == 0 && await Activations<TopicGrain>("no-such-topic") == 0, "the unknown partition's and topic's activations to end");
    }

    [Fact]
    public async Task Reading_a_group_nobody_uses_leaves_no_activation_behind()
    {
        var group = fixture.Grains.GetGrain<IConsumerGroupGrain>("never-used");

        Assert.Empty((await group.Describe()).Members);
        Assert.Empty(await group.FetchOffsets([]));

        await Wait.Until(async () => await Activations<ConsumerGroupGrain>("never-used") == 0, "the unknown group's activation to end");
        Assert.DoesNotContain("never-used", await IConsumerGroupDirectoryGrain.ListAllAsync(fixture.Grains));
    }

    [Theory]
    [InlineData("nul\0inside")]
    [InlineData("tab\tinside")]
    [InlineData("a-group-id-far-longer-than-kafka-allows-a-group-id-far-longer-than-kafka-allows-a-group-id-far-longer-than-kafka-allows-a-group-id-far-longer-than-kafka-allows-a-group-id-far-longer-than-kafka-allows-a-group-id-far-longer-than-kafka-allows-a-group-id-far-longer-than-kafka")]
    public async Task A_group_id_that_breaks_Kafkas_rules_is_refused_on_the_grain_itself(string groupId)
    {
        var error = await Assert.ThrowsAsync<OrleansLogException>(() => fixture.Grains.GetGrain<IConsumerGroupGrain>(groupId).FetchOffsets([]));

        Assert.Equal(ErrorCode.InvalidGroupId, error.Code);
    }

    [Fact]
    public async Task Offsets_of_a_group_idle_past_the_retention_expire_and_a_group_with_members_keeps_its_own()
    {
        await Coordinator.CreateTopic("retained", 1, 1, ImmutableDictionary<string, string>.Empty);
        var partition = new TopicPartition("retained", 0);
        var idle = fixture.Grains.GetGrain<IConsumerGroupGrain>("idle-group");
        var active = fixture.Grains.GetGrain<IConsumerGroupGrain>("active-group");
        Assert.Equal(ErrorCode.None, (await idle.CommitOffsets(new CommitOffsetsRequest(null, -1, [new CommittedOffset(partition, 5, null)]))).Error);
        var member = await active.Join(new JoinGroupRequest(null, "test", ["retained"], 60_000, PartitionAssignors.Range));
        Assert.Equal(ErrorCode.None, (await active.CommitOffsets(new CommitOffsetsRequest(member.MemberId, member.Generation, [new CommittedOffset(partition, 7, null)]))).Error);
        Assert.Contains("idle-group", await IConsumerGroupDirectoryGrain.ListAllAsync(fixture.Grains));

        var expiry = fixture.SiloService<GroupExpiryService>();
        await Wait.Until(async () => await expiry.RunOnce() > 0 || (await idle.FetchOffsets([])).IsEmpty, "the idle group's offsets to expire");

        Assert.Empty(await idle.FetchOffsets([]));
        Assert.DoesNotContain("idle-group", await IConsumerGroupDirectoryGrain.ListAllAsync(fixture.Grains));
        Assert.Equal(7, (await active.FetchOffsets([])).Single().Offset);
        Assert.Contains("active-group", await IConsumerGroupDirectoryGrain.ListAllAsync(fixture.Grains));
        await active.Leave(member.MemberId);
    }

    private async Task<int> Activations<TGrain>(string keyPrefix)
    {
        var statistics = await fixture.Grains.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics([typeof(TGrain).FullName!]);
        return statistics.Count(s => s.GrainId.Key.ToString()!.StartsWith(keyPrefix, StringComparison.Ordinal));
    }

    /// <summary>A broker whose groups keep offsets for one second of idleness, and whose own expiry pass runs only when a test asks.</summary>
    public sealed class ShortRetentionFixture : BrokerClusterFixture
    {
        protected override void ConfigureCluster(TestClusterBuilder builder) =>
            builder.ConfigureHostConfiguration(config => config.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["OrleansLog:Groups:OffsetsRetention"] = "00:00:01",
                ["OrleansLog:Groups:OffsetsRetentionCheckInterval"] = "01:00:00",
            }));
    }
}
