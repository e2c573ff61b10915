using OrleansLog.Server.Replication;

namespace OrleansLog.Server.Tests.Replication;

public class RetryBackoffTests
{
    [Fact]
    public void Waits_double_after_each_failure_up_to_the_maximum_and_start_over_after_a_success()
    {
        var backoff = new RetryBackoff(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1));

        var waits = Enumerable.Range(0, 5).Select(_ => backoff.Failed().TotalMilliseconds).ToArray();
        Assert.Equal([200, 400, 800, 1000, 1000], waits);
        Assert.Equal(5, backoff.Failures);

        backoff.Succeeded();
        Assert.Equal(0, backoff.Failures);
        Assert.Equal(TimeSpan.FromMilliseconds(200), backoff.Failed());
    }
}
