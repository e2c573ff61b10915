using Microsoft.Extensions.Diagnostics.HealthChecks;
using OrleansLog.Client;

namespace OrleansLog.Web.Health;

/// <summary>The standalone front end is ready when the cluster answers through its gateways and has a live broker (bounded at 2 s, so a probe never hangs).</summary>
public sealed class ClusterReadinessCheck(OrleansLogClient client) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var brokers = await client.Admin.ListBrokersAsync().WaitAsync(TimeSpan.FromSeconds(2), cancellationToken);
            return brokers.Any(b => b.IsAlive)
                ? HealthCheckResult.Healthy($"{brokers.Count(b => b.IsAlive)} broker(s) alive.")
                : HealthCheckResult.Unhealthy("The cluster answers but has no live broker.");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy($"The cluster does not answer: {e.Message}");
        }
    }
}
