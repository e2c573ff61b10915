using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansLog.Server.Hosting;

namespace OrleansLog.Connect.Hosting;

/// <summary>
/// Wakes the cluster's connector grain each <see cref="ConnectOptions.CheckInterval"/>. Every broker runs it, so the
/// grain is activated again promptly wherever it lands after its silo died, and the tasks of a dead silo are started
/// elsewhere at the next pass; the grain runs at most one pass per interval however many brokers wake it.
/// </summary>
public sealed class ConnectSupervisorService(
    IGrainFactory grains,
    IOptions<ConnectOptions> options,
    TimeProvider time,
    ILogger<ConnectSupervisorService> logger) : PeriodicPass(options.Value.CheckInterval, time, logger)
{
    protected override Task PassAsync() =>
        options.Value.Enabled ? grains.GetGrain<IConnectClusterGrain>(IConnectClusterGrain.ClusterKey).Supervise() : Task.CompletedTask;
}
