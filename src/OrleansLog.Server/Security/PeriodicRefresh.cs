namespace OrleansLog.Server.Security;

/// <summary>The loop behind each broker's copy of cluster-wide security state (ACLs, quotas): refresh, wait, again, until stopped; a failed refresh keeps what was read last.</summary>
internal static class PeriodicRefresh
{
    public static async Task RunAsync(Func<Task> refresh, TimeSpan interval, TimeProvider time, Action<Exception> failed, CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await refresh();
            }
            catch (Exception e) when (!stopping.IsCancellationRequested)
            {
                failed(e);
            }

            try
            {
                await Task.Delay(interval, time, stopping);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
