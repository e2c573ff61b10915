using Microsoft.Extensions.Time.Testing;
using OrleansLog.Server.Replication;

namespace OrleansLog.Server.Tests.Replication;

public class HighWatermarkTests
{
    [Fact]
    public void It_only_moves_forward_and_publishes_each_move_to_the_local_replica()
    {
        var replica = new LocalReplica();
        var hw = new HighWatermark(10, replica);

        Assert.True(hw.AdvanceTo(15));
        Assert.False(hw.AdvanceTo(12));
        Assert.False(hw.AdvanceTo(15));

        Assert.Equal(15, hw.Value);
        Assert.Equal(15, replica.HighWatermark);
    }

    [Fact]
    public async Task A_waiter_wakes_when_it_reaches_the_offset()
    {
        var hw = new HighWatermark(0, new LocalReplica());
        var waiting = hw.WaitForAsync(10, new TaskCompletionSource().Task);

        hw.AdvanceTo(10);

        Assert.True(await waiting.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_move_short_of_the_offset_does_not_satisfy_a_waiter()
    {
        var hw = new HighWatermark(0, new LocalReplica());
        var waiting = hw.WaitForAsync(10, new TaskCompletionSource().Task);

        hw.AdvanceTo(5);
        hw.Close();

        // Had the move to 5 released it, it would have answered true.
        Assert.False(await waiting.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Closing_wakes_every_waiter_for_good_and_it_never_moves_again()
    {
        var hw = new HighWatermark(0, new LocalReplica());
        var waiting = hw.WaitForAsync(10, new TaskCompletionSource().Task);

        hw.Close();

        Assert.False(await waiting.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(hw.NextChange.IsCompleted);
        Assert.False(hw.AdvanceTo(20));
        Assert.Equal(0, hw.Value);
    }

    [Fact]
    public async Task A_waiter_gives_up_at_its_deadline()
    {
        var time = new FakeTimeProvider();
        var hw = new HighWatermark(0, new LocalReplica());
        var waiting = hw.WaitForAsync(10, Task.Delay(TimeSpan.FromSeconds(5), time));

        time.Advance(TimeSpan.FromSeconds(4));
        Assert.False(waiting.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.False(await waiting.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(0, hw.Value);
    }
}
