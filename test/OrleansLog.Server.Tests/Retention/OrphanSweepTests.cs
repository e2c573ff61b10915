using System.Collections.Immutable;
using Microsoft.Extensions.Configuration;
using Orleans.TestingHost;
using OrleansLog.Metadata;
using OrleansLog.Partitions;
using OrleansLog.Server.Partitions;
using OrleansLog.Server.Retention;
using OrleansLog.Testing;

namespace OrleansLog.Server.Tests.Retention;

/// <summary>
/// The sweep of orphaned partition directories never takes a live log: topics created and grown while it
/// runs (every second here, and back to back from the test) keep every acknowledged record; a directory
/// of a deleted topic is set aside as a stray, not deleted.
/// </summary>
public class OrphanSweepTests(OrphanSweepTests.FastSweepFixture fixture) : IClassFixture<OrphanSweepTests.FastSweepFixture>
{
    private IMetadataGrain Coordinator => fixture.Grains.GetGrain<IMetadataGrain>(IMetadataGrain.ClusterKey);

    [Fact]
    public async Task Topics_created_and_grown_during_sweeps_keep_every_acknowledged_record()
    {
        var sweep = fixture.SiloService<RetentionService>();
        using var stop = new CancellationTokenSource();
        var sweeps = Task.Run(async () =>
        {
            var passes = 0;
            while (!stop.IsCancellationRequested)
            {
                await sweep.RunOnce();
                passes++;
            }

            return passes;
        });

        var acknowledged = new Dictionary<TopicPartition, int>();
        for (var i = 0; i < 25; i++)
        {
            var topic = $"swept-{i}";
            await Coordinator.CreateTopic(topic, 1, 1, ImmutableDictionary<string, string>.Empty);
            await Produce(new TopicPartition(topic, 0), acknowledged);
            await Coordinator.CreatePartitions(topic, 3);
            for (var p = 0; p < 3; p++)
            {
                await Produce(new TopicPartition(topic, p), acknowledged);
            }
        }

        await stop.CancelAsync();
        Assert.True(await sweeps > 0);

        foreach (var (partition, count) in acknowledged)
        {
            var state = await fixture.Grains.GetPartitionGrain(partition.Topic, partition.Partition).GetState();
            Assert.True(count == state.LogEndOffset, $"{partition}: {count} acknowledged, log end {state.LogEndOffset}");
            var fetched = await fixture.Grains.GetPartitionGrain(partition.Topic, partition.Partition).Fetch(new FetchRequest(0, MaxWaitMs: 0));
            Assert.True(count == Batches.Records(fetched.Records.Span).Count, $"{partition}: {fetched.Error} {fetched.ErrorMessage}, {Batches.Records(fetched.Records.Span).Count} records of {count}, high watermark {fetched.HighWatermark}");
        }

        Assert.Empty(Directory.GetDirectories(fixture.SiloService<LogManager>().Directory, "swept-*-stray"));
    }

    [Fact]
    public async Task A_directory_no_topic_owns_is_set_aside_as_a_stray()
    {
        var logs = fixture.SiloService<LogManager>();
        var gone = new TopicDescription("gone", Guid.NewGuid(), 1, ImmutableSortedDictionary<string, string>.Empty, DateTimeOffset.UnixEpoch, 1, [new PartitionLeadership(0, [0], 0, 0, [0])]);
        logs.Acquire(new TopicPartition("gone", 0), gone).Append(Batches.Of("left behind"));

        await fixture.SiloService<RetentionService>().RunOnce();

        Assert.DoesNotContain(logs.ListDirectories(), d => d.Partition.Topic == "gone");
        Assert.Single(Directory.GetDirectories(logs.Directory, "gone-0.*-stray"));
    }

    private async Task Produce(TopicPartition partition, Dictionary<TopicPartition, int> acknowledged)
    {
        var answer = await fixture.Grains.GetPartitionGrain(partition.Topic, partition.Partition).Produce(new ProduceRequest(Batches.Of(Records.CompressionType.None, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), "a", "b"), Acks.All));
        Assert.Equal(ErrorCode.None, answer.Error);
        acknowledged[partition] = acknowledged.GetValueOrDefault(partition) + 2;
    }

    // Records carry the current time: the retention passes run too, and would rightly delete 1970.

    /// <summary>A broker whose own sweep runs every second, beside the test's back-to-back passes.</summary>
    public sealed class FastSweepFixture : BrokerClusterFixture
    {
        protected override void ConfigureCluster(TestClusterBuilder builder) =>
            builder.ConfigureHostConfiguration(config => config.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["OrleansLog:RetentionCheckInterval"] = "00:00:01",
            }));
    }
}
