using System.Collections.Immutable;
using Orleans.TestingHost;
using OrleansLog.Metadata;
using OrleansLog.Server.Metadata;
using OrleansLog.Testing;

namespace OrleansLog.Server.Tests.Metadata;

/// <summary>
/// A broker upgraded from the layout that kept every topic in the coordinator's main state: its first coordinator
/// activation moves them to their buckets, serves them unchanged, and leaves the main state without them.
/// </summary>
public class TopicLayoutUpgradeTests(TopicLayoutUpgradeTests.UpgradedBrokerFixture fixture) : IClassFixture<TopicLayoutUpgradeTests.UpgradedBrokerFixture>
{
    private static readonly GrainId Coordinator = GrainId.Create("metadata", IMetadataGrain.ClusterKey);

    [Fact]
    public async Task Topics_of_the_old_layout_are_moved_to_their_buckets_and_served()
    {
        var coordinator = fixture.Grains.GetGrain<IMetadataGrain>(IMetadataGrain.ClusterKey);

        var topics = await coordinator.ListTopics();

        Assert.Equal(UpgradedBrokerFixture.Legacy.Select(t => t.Name).Order(StringComparer.Ordinal), topics.Select(t => t.Name));
        Assert.Equal(UpgradedBrokerFixture.Legacy[0].TopicId, topics.Single(t => t.Name == UpgradedBrokerFixture.Legacy[0].Name).TopicId);
        using var files = new StateFiles(fixture.DataDirectory);
        var main = new GrainState<MetadataState>();
        await files.Storage.ReadStateAsync("metadata", Coordinator, main);
        Assert.Empty(main.State!.Topics);

        var fresh = new TopicStore(files.Storage, Coordinator);
        await fresh.LoadAsync();
        Assert.Equal(UpgradedBrokerFixture.Legacy.Count, fresh.Count);
    }

    /// <summary>A single-broker cluster started over a state directory written in the old layout.</summary>
    public sealed class UpgradedBrokerFixture : BrokerClusterFixture
    {
        public static IReadOnlyList<TopicDescription> Legacy { get; } = [.. Enumerable.Range(0, 30).Select(i =>
            new TopicDescription($"legacy-{i}", Guid.NewGuid(), 2, ImmutableSortedDictionary<string, string>.Empty, DateTimeOffset.UnixEpoch, 1, [new PartitionLeadership(0, [0], 0, 0, [0]), new PartitionLeadership(1, [0], 0, 0, [0])]))];

        protected override void ConfigureCluster(TestClusterBuilder builder)
        {
            var old = new MetadataState();
            foreach (var topic in Legacy)
            {
                old.Topics[topic.Name] = topic;
            }

            using var files = new StateFiles(DataDirectory);
            files.Storage.WriteStateAsync("metadata", Coordinator, new GrainState<MetadataState>(old)).GetAwaiter().GetResult();
        }
    }
}
