using Microsoft.Extensions.Diagnostics.HealthChecks;
using OrleansLog.Metadata;

namespace OrleansLog.Silo.Health;

/// <summary>Ready when the coordinator answers: the silo is up, grain storage readable, and the broker can serve requests.</summary>
public sealed class BrokerReadinessCheck(IGrainFactory grains) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var topics = await grains.GetGrain<IMetadataGrain>(IMetadataGrain.ClusterKey).ListTopics().WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
            return HealthCheckResult.Healthy($"{topics.Length} topics");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("The broker does not answer yet.", e);
        }
    }
}
