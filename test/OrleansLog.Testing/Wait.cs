using Xunit;

namespace OrleansLog.Testing;

/// <summary>Polls a condition that another party makes true (a group rebalancing, processes printing), with a deadline instead of a fixed sleep.</summary>
public static class Wait
{
    /// <summary>Fails the test with "<paramref name="what"/>" unless the condition holds within <paramref name="timeout"/> (15 s), checking every <paramref name="poll"/> (20 ms).</summary>
    public static async Task Until(Func<bool> condition, string what, TimeSpan? timeout = null, TimeSpan? poll = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out waiting until {what}.");
            }

            await Task.Delay(poll ?? TimeSpan.FromMilliseconds(20));
        }
    }

    /// <summary>As <see cref="Until(Func{bool}, string, TimeSpan?, TimeSpan?)"/> for a condition that asks the cluster; a call that throws (a broker is down) counts as not yet.</summary>
    public static async Task Until(Func<Task<bool>> condition, string what, TimeSpan? timeout = null, TimeSpan? poll = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        Exception? last = null;
        while (true)
        {
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (Exception e)
            {
                last = e;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out waiting until {what}.{(last is null ? "" : $" Last error: {last.Message}")}");
            }

            await Task.Delay(poll ?? TimeSpan.FromMilliseconds(50));
        }
    }
}
