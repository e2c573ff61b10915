using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Storage;
using OrleansLog.Server.Persistence;

namespace OrleansLog.Server.Metadata;

/// <summary>The coordinator's tenure (<see cref="CoordinatorTenure"/>): its epoch taken at activation, confirmed before it acts.</summary>
public sealed partial class MetadataGrain
{
    private CoordinatorTenure _tenure = null!;

    /// <summary>Takes the next epoch, persisted before this activation serves (an older activation that reads it stops acting).</summary>
    private async Task BeginTenure(CancellationToken cancellationToken)
    {
        _tenure = new CoordinatorTenure();
        state.State.CoordinatorEpoch++;
        await state.WriteStateAsync(cancellationToken);
        _tenure.Began(state.State.CoordinatorEpoch);
        LogTenureBegan(state.State.CoordinatorEpoch, localSilo.SiloAddress);
    }

    /// <summary>
    /// False once a newer activation's epoch is stored (read now); such an activation acts no more and deactivates.
    /// A store that does not answer in time proves nothing: the activation acts as before (a PostgreSQL outage must
    /// not stop failover).
    /// </summary>
    private async Task<bool> StillCoordinator()
    {
        if (_tenure.IsSuperseded)
        {
            return false;
        }

        var stored = new GrainState<MetadataState>();
        try
        {
            var storage = ServiceProvider.GetRequiredKeyedService<IGrainStorage>(OrleansLogStorage.Name);
            await storage.ReadStateAsync(MetadataStateName, this.GetGrainId(), stored).WaitAsync(broker.Value.HeartbeatInterval * 2, time);
        }
        catch (Exception e)
        {
            LogTenureUnconfirmed(e.Message);
            return true;
        }

        if (_tenure.Observe(stored.State?.CoordinatorEpoch ?? 0))
        {
            return true;
        }

        LogSuperseded(_tenure.Epoch, stored.State!.CoordinatorEpoch, localSilo.SiloAddress);
        _announcer.Stop();
        this.DeactivateOnIdle();
        return false;
    }

    /// <summary>Refuses a change or a heartbeat once superseded.</summary>
    private void EnsureCoordinator()
    {
        if (_tenure.IsSuperseded)
        {
            throw Superseded();
        }
    }

    /// <summary>NOT_CONTROLLER, which a broker does not count against the coordinator's silo.</summary>
    private OrleansLogException Superseded() =>
        new(ErrorCode.NotController, $"This coordinator activation (epoch {_tenure.Epoch}) was superseded by a newer one; it is deactivating.");

    [LoggerMessage(Level = LogLevel.Information, Message = "The coordinator's activation on {Silo} took epoch {Epoch}.")]
    private partial void LogTenureBegan(long epoch, SiloAddress silo);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The coordinator's activation on {Silo} (epoch {Epoch}) was superseded by epoch {Stored} (Orleans activated the coordinator twice during a membership change): it fences nobody, changes nothing, and deactivates.")]
    private partial void LogSuperseded(long epoch, long stored, SiloAddress silo);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Broker {BrokerId} sent no heartbeat for a session timeout, but its silo answers: its heartbeats are going astray (a coordinator move), so its session runs on (it acknowledges nothing without a granted heartbeat).")]
    private partial void LogSessionExtended(int brokerId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "The coordinator could not read its stored epoch ({Message}); it acts as before.")]
    private partial void LogTenureUnconfirmed(string message);
}
