using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansLog.Metadata;

namespace OrleansLog.Server.Brokers;

/// <summary>
/// Makes this silo a broker: once the silo is active it registers its broker id with the coordinator
/// (start-up fails if another live silo holds that id), then tells the coordinator of every membership
/// change it sees. Any silo's report is enough, which is why the coordinator hears of a death even when it
/// lived on the silo that died: the report reactivates it elsewhere. The registration opens the broker's
/// session; <see cref="BrokerHeartbeat"/> keeps it.
/// </summary>
public sealed partial class BrokerRegistrar(
    IGrainFactory grains,
    IClusterMembershipService membership,
    ILocalSiloDetails silo,
    BrokerLease lease,
    BrokerHeartbeat heartbeat,
    MembershipChangeSignal membershipChanges,
    TimeProvider time,
    IOptions<BrokerOptions> options,
    ILogger<BrokerRegistrar> logger) : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    private static readonly TimeSpan ControlledShutdownTimeout = TimeSpan.FromSeconds(15);

    private readonly CancellationTokenSource _stopping = new();

    public void Dispose() => _stopping.Dispose();

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(BrokerRegistrar), ServiceLifecycleStage.Active, Start, Stop);

    private async Task Start(CancellationToken cancellationToken)
    {
        var coordinator = grains.GetGrain<IMetadataGrain>(IMetadataGrain.ClusterKey);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var sentAt = time.GetTimestamp();
                await coordinator.RegisterBroker(options.Value.Id, silo.SiloAddress, options.Value.KafkaEndpoint);
                lease.Renewed(sentAt);
                break;
            }
            catch (Exception e) when ((e is not OrleansLogException || e is OrleansLogException { Code: ErrorCode.KafkaStorageError }) && attempt < 10 && !cancellationToken.IsCancellationRequested)
            {
                // Unreachable, or a state write that raced another coordinator activation (the coordinator re-read its state): both pass.
                LogRegistrationRetry(e.Message, attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), cancellationToken);
            }
        }

        LogRegistered(options.Value.Id, silo.SiloAddress);
        _ = Task.Run(() => ReportMembership(coordinator, _stopping.Token), CancellationToken.None);
        _ = Task.Run(() => heartbeat.RunAsync(_stopping.Token), CancellationToken.None);
    }

    /// <summary>
    /// Before the silo goes: a controlled shutdown moves this broker's leaderships to other in-sync replicas
    /// while it still answers, so producers move at once instead of waiting for its death to be noticed.
    /// Bounded, because a shutdown must finish even when the coordinator cannot be reached.
    /// </summary>
    private async Task Stop(CancellationToken cancellationToken)
    {
        _stopping.Cancel();
        try
        {
            var coordinator = grains.GetGrain<IMetadataGrain>(IMetadataGrain.ClusterKey);
            var stillLeading = await coordinator.ShutdownBroker(options.Value.Id).WaitAsync(ControlledShutdownTimeout, cancellationToken);
            LogControlledShutdown(options.Value.Id, stillLeading);
        }
        catch (Exception e)
        {
            LogControlledShutdownFailed(e.Message);
        }
    }

    private async Task ReportMembership(IMetadataGrain coordinator, CancellationToken stopping)
    {
        try
        {
            await foreach (var _ in membership.MembershipUpdates.WithCancellation(stopping))
            {
                membershipChanges.Changed();
                try
                {
                    await coordinator.MembershipChanged();
                }
                catch (Exception e) when (!stopping.IsCancellationRequested)
                {
                    // The coordinator's own timer re-checks membership; this report only makes it sooner.
                    LogReportFailed(e.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "This silo ({Silo}) is broker {BrokerId}.")]
    private partial void LogRegistered(int brokerId, SiloAddress silo);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Broker registration failed ({Message}); attempt {Attempt}, retrying.")]
    private partial void LogRegistrationRetry(string message, int attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Controlled shutdown of broker {BrokerId}: leadership handed over ({StillLeading} partition(s) have no other live in-sync replica and stay here).")]
    private partial void LogControlledShutdown(int brokerId, int stillLeading);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Controlled shutdown did not complete ({Message}); the coordinator moves leadership once this silo's death is noticed.")]
    private partial void LogControlledShutdownFailed(string message);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Could not report a membership change to the coordinator: {Message}")]
    private partial void LogReportFailed(string message);
}
