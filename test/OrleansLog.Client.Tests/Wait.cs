namespace OrleansLog.Client.Tests;

/// <summary>Polls a condition that another party makes true (a group rebalancing), with a deadline instead of a fixed sleep.</summary>
internal static class Wait
{
    public static async Task Until(Func<bool> condition, string what, int timeoutMs = 15_000)
    {
        var deadline = Environment.TickCount64 + timeoutMs;
        while (!condition())
        {
            if (Environment.TickCount64 > deadline)
            {
                Assert.Fail($"Timed out waiting until {what}.");
            }

            await Task.Delay(20);
        }
    }
}
