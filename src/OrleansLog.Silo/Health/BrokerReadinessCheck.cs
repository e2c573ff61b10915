using Microsoft.Extensions.Diagnostics.HealthChecks;
using OrleansLog.Metadata;

namespace OrleansLog.Silo.Health;

/// <summary>
/// Ready when the coordinator answers: the silo is up, grain storage readable, and the broker can serve requests.
/// It asks for the broker list, not the topics: a probe every few seconds must stay cheap with 10,000 topics.
/// </summary>
public sealed class BrokerReadinessCheck(IGrainFactory grains) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var brokers = await grains.GetGrain<IMetadataGrain>(IMetadataGrain.ClusterKey).ListBrokers().WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
            return HealthCheckResult.Healthy($"{brokers.Count(b => b.IsAlive)} of {brokers.Length} brokers alive");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("The broker does not answer yet.", e);
        }
    }
}
