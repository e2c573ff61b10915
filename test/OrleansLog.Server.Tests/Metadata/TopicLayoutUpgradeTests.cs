using System.Collections.Immutable;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Serialization;
using Orleans.Storage;
using Orleans.TestingHost;
using OrleansLog.Metadata;
using OrleansLog.Server.Hosting;
using OrleansLog.Server.Metadata;
using OrleansLog.Server.Persistence;
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
        var main = new GrainState<MetadataState>();
        await UpgradedBrokerFixture.Storage(fixture.DataDirectory, out var services).ReadStateAsync("metadata", Coordinator, main);
        await using (services)
        {
            Assert.Empty(main.State!.Topics);
        }

        var fresh = new TopicStore(UpgradedBrokerFixture.Storage(fixture.DataDirectory, out var more), Coordinator);
        await using (more)
        {
            await fresh.LoadAsync();
            Assert.Equal(UpgradedBrokerFixture.Legacy.Count, fresh.Count);
        }
    }

    /// <summary>A single-broker cluster started over a state directory written in the old layout.</summary>
    public sealed class UpgradedBrokerFixture : BrokerClusterFixture
    {
        public static IReadOnlyList<TopicDescription> Legacy { get; } = [.. Enumerable.Range(0, 30).Select(i =>
            new TopicDescription($"legacy-{i}", Guid.NewGuid(), 2, ImmutableSortedDictionary<string, string>.Empty, DateTimeOffset.UnixEpoch, 1, [new PartitionLeadership(0, [0], 0, 0, [0]), new PartitionLeadership(1, [0], 0, 0, [0])]))];

        public static FileGrainStorage Storage(string dataDirectory, out ServiceProvider services)
        {
            services = new ServiceCollection().AddSerializer().BuildServiceProvider();
            return new FileGrainStorage(
                Options.Create(new OrleansLogOptions { DataDirectory = dataDirectory, StateDirectoryOverride = Path.Combine(dataDirectory, "state") }),
                new OrleansGrainStorageSerializer(services.GetRequiredService<Serializer>()));
        }

        protected override void ConfigureCluster(TestClusterBuilder builder)
        {
            var old = new MetadataState();
            foreach (var topic in Legacy)
            {
                old.Topics[topic.Name] = topic;
            }

            var storage = Storage(DataDirectory, out var services);
            using (services)
            {
                storage.WriteStateAsync("metadata", Coordinator, new GrainState<MetadataState>(old)).GetAwaiter().GetResult();
            }
        }
    }
}
