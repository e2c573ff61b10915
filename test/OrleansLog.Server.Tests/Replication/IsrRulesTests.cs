using Microsoft.Extensions.Time.Testing;
using OrleansLog.Server.Replication;

namespace OrleansLog.Server.Tests.Replication;

public class IsrRulesTests
{
    [Fact]
    public void The_high_watermark_is_the_least_log_end_over_the_isr_and_never_goes_back()
    {
        var links = new Dictionary<int, ReplicaLink>
        {
            [2] = new(2, 0) { LogEndOffset = 40 },
            [3] = new(3, 0) { LogEndOffset = 10 },
        };

        Assert.Equal(40, IsrRules.HighWatermark(current: 5, leaderEnd: 50, leader: 1, [1, 2], links));
        Assert.Equal(10, IsrRules.HighWatermark(current: 5, leaderEnd: 50, leader: 1, [1, 2, 3], links));
        Assert.Equal(20, IsrRules.HighWatermark(current: 20, leaderEnd: 50, leader: 1, [1, 2, 3], links));
        Assert.Equal(50, IsrRules.HighWatermark(current: 5, leaderEnd: 50, leader: 1, [1], links));

        links[3].LogEndOffset = -1; // not heard from in this epoch yet
        Assert.Equal(5, IsrRules.HighWatermark(current: 5, leaderEnd: 50, leader: 1, [1, 2, 3], links));
    }

    [Fact]
    public void A_follower_lags_once_it_has_not_caught_up_for_the_maximum_lag()
    {
        var time = new FakeTimeProvider();
        var links = new Dictionary<int, ReplicaLink> { [2] = new(2, time.GetTimestamp()), [3] = new(3, time.GetTimestamp()) };
        time.Advance(TimeSpan.FromSeconds(5));
        links[3].LastCaughtUp = time.GetTimestamp();
        time.Advance(TimeSpan.FromSeconds(6));

        Assert.Equal([2], IsrRules.Lagging([1, 2, 3], 1, links, time, TimeSpan.FromSeconds(10)).ToArray());
    }

    [Fact]
    public void A_follower_rejoins_only_at_the_high_watermark_and_inside_the_current_epoch()
    {
        Assert.True(IsrRules.CanRejoin(new ReplicaLink(2, 0) { LogEndOffset = 100 }, highWatermark: 90, epochStartOffset: 80));
        Assert.False(IsrRules.CanRejoin(new ReplicaLink(2, 0) { LogEndOffset = 85 }, highWatermark: 90, epochStartOffset: 80));
        Assert.False(IsrRules.CanRejoin(new ReplicaLink(2, 0) { LogEndOffset = 95 }, highWatermark: 90, epochStartOffset: 120));
    }
}
