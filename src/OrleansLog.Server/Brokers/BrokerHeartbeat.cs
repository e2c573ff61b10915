using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansLog.Metadata;

namespace OrleansLog.Server.Brokers;

/// <summary>
/// This broker's side of its session with the coordinator: a heartbeat every
/// <see cref="BrokerOptions.HeartbeatInterval"/>; each one granted renews the <see cref="BrokerLease"/>.
/// <list type="bullet">
/// <item>Refused (the coordinator fenced this broker): the lease is fenced for good and the silo declares
/// itself dead, so the process exits and comes back as a new broker incarnation.</item>
/// <item>Unanswered for a whole session timeout, over at least three attempts: the coordinator's silo is
/// declared dead (brokers watch the coordinator as it watches them), so the coordinator moves to a live
/// silo at once instead of after Orleans' own probing.</item>
/// <item>This loop itself stalled for a session timeout (the process was paused) while the coordinator runs
/// here: the others have already declared this silo dead, so it fences itself before anything it says is believed.</item>
/// </list>
/// <para>Concurrency: one loop per silo (<see cref="RunAsync"/>); the lease is the only state it shares.</para>
/// </summary>
public sealed partial class BrokerHeartbeat(
    IGrainFactory grains,
    IClusterMembershipService membership,
    ILocalSiloDetails silo,
    BrokerLease lease,
    IOptions<BrokerOptions> options,
    TimeProvider time,
    ILogger<BrokerHeartbeat> logger)
{
    private const int AttemptsBeforeCoordinatorIsDead = 3;

    /// <summary>Beats until <paramref name="stopping"/> or until this broker is fenced.</summary>
    public async Task RunAsync(CancellationToken stopping)
    {
        var coordinator = grains.GetGrain<IMetadataGrain>(IMetadataGrain.ClusterKey);
        var session = options.Value.SessionTimeout;
        var callTimeout = session / AttemptsBeforeCoordinatorIsDead;
        var self = silo.SiloAddress;
        SiloAddress? coordinatorSilo = null;
        long? unansweredSince = null;
        var unanswered = 0;
        var lastBeat = time.GetTimestamp();
        using var timer = new PeriodicTimer(options.Value.HeartbeatInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping))
            {
                var sentAt = time.GetTimestamp();
                var stalled = time.GetElapsedTime(lastBeat, sentAt);
                lastBeat = sentAt;
                if (stalled > session && self.Equals(coordinatorSilo) && OtherSilosActive())
                {
                    LogStalled(options.Value.Id, (long)stalled.TotalMilliseconds);
                    await FenceSelf();
                    return;
                }

                try
                {
                    var answer = await coordinator.Heartbeat(options.Value.Id, self).WaitAsync(callTimeout, time, stopping);
                    if (!answer.Granted)
                    {
                        LogFenced(options.Value.Id);
                        await FenceSelf();
                        return;
                    }

                    lease.Renewed(sentAt);
                    if (unanswered > 0 || !answer.Coordinator.Equals(coordinatorSilo))
                    {
                        LogAnswered(answer.Coordinator, unanswered);
                    }

                    coordinatorSilo = answer.Coordinator;
                    unansweredSince = null;
                    unanswered = 0;
                }
                catch (Exception e) when (!stopping.IsCancellationRequested)
                {
                    unansweredSince ??= sentAt;
                    unanswered++;
                    LogUnanswered(e.Message);
                    if (unanswered >= AttemptsBeforeCoordinatorIsDead && time.GetElapsedTime(unansweredSince.Value) >= session
                        && coordinatorSilo is { } lost && !lost.Equals(self) && membership.CurrentSnapshot.GetSiloStatus(lost) == SiloStatus.Active)
                    {
                        LogCoordinatorSilent(lost, (long)time.GetElapsedTime(unansweredSince.Value).TotalMilliseconds);
                        await membership.TryKill(lost);
                        unansweredSince = null;
                        unanswered = 0;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    private async Task FenceSelf()
    {
        lease.Fence();
        await membership.TryKill(silo.SiloAddress);
    }

    private bool OtherSilosActive() =>
        membership.CurrentSnapshot.Members.Values.Any(m => m.Status == SiloStatus.Active && !m.SiloAddress.Equals(silo.SiloAddress));

    [LoggerMessage(Level = LogLevel.Error, Message = "Broker {BrokerId} was fenced by the coordinator (its session lapsed and its partitions moved): it acknowledges nothing more and leaves the cluster; restart it to rejoin.")]
    private partial void LogFenced(int brokerId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Broker {BrokerId} hosts the coordinator and was stalled for {StalledMs} ms (longer than its session): the other brokers have declared it dead, so it fences itself and leaves the cluster; restart it to rejoin.")]
    private partial void LogStalled(int brokerId, long stalledMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The coordinator on {Silo} answered no heartbeat for {SilentMs} ms: its silo is declared dead so the coordinator moves.")]
    private partial void LogCoordinatorSilent(SiloAddress silo, long silentMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "The coordinator on {Silo} answers this broker's heartbeats (after {Unanswered} unanswered).")]
    private partial void LogAnswered(SiloAddress silo, int unanswered);

    [LoggerMessage(Level = LogLevel.Debug, Message = "A heartbeat was not answered: {Message}")]
    private partial void LogUnanswered(string message);
}
