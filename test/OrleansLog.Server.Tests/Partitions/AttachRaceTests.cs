using System.Collections.Immutable;
using OrleansLog.Metadata;
using OrleansLog.Partitions;
using OrleansLog.Server.Diagnostics;
using OrleansLog.Testing;

namespace OrleansLog.Server.Tests.Partitions;

/// <summary>
/// The partition grain is reentrant: two calls of a fresh activation may both look the topic up and both attach
/// to the leadership they found. The second must join the running term, not start another one, which would reset
/// the high watermark under the first call and leave two push loops per follower (issue 18, finding 5).
/// </summary>
public class AttachRaceTests(HeldLookupsClusterFixture fixture) : IClassFixture<HeldLookupsClusterFixture>
{
    [Fact]
    public async Task Two_calls_that_both_found_the_leadership_start_one_term()
    {
        const string topic = "attach-race";
        using var counters = new TopicCounters(topic, BrokerMetrics.LeaderTermsName);
        var partition = fixture.Grains.GetPartitionGrain(topic, 0);

        // The activation's own lookup (the topic does not exist yet) passes; the two produces' lookups are held.
        var hold = HeldLookupsClusterFixture.Hold(partition.GetGrainId(), passing: 1);
        var first = partition.Produce(new ProduceRequest(Batches.Of("first")));
        var second = partition.Produce(new ProduceRequest(Batches.Of("second")));
        await Wait.Until(() => hold.Held == 2, "both produces wait for their topic lookup");

        // The topic appears while both wait, so both lookups find this broker leading at epoch 0.
        await fixture.Grains.GetGrain<IMetadataGrain>(IMetadataGrain.ClusterKey).CreateTopic(topic, 1, 1, ImmutableDictionary<string, string>.Empty);
        hold.Release();
        var answers = await Task.WhenAll(first, second);

        Assert.All(answers, a => Assert.Equal(ErrorCode.None, a.Error));
        Assert.Equal([0L, 1L], answers.Select(a => a.BaseOffset).Order());
        Assert.Equal(1, counters.Total(BrokerMetrics.LeaderTermsName));
        var state = await partition.GetState();
        Assert.Equal((2L, 2L), (state.LogEndOffset, state.HighWatermark));
    }
}
