using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansLog.Metadata;
using OrleansLog.Server.Metadata;

namespace OrleansLog.Server.Brokers;

/// <summary>
/// This broker's side of its session with the coordinator: a heartbeat every
/// <see cref="BrokerOptions.HeartbeatInterval"/>; each one granted renews the <see cref="BrokerLease"/>.
/// <list type="bullet">
/// <item>Refused (the coordinator fenced this broker): the lease is fenced for good and the silo declares
/// itself dead, so the process exits and comes back as a new broker incarnation.</item>
/// <item>Unanswered for a whole session timeout, over at least two attempts that each failed or waited a
/// whole session (a slow answer is an answer), while its silo does not answer a probe either: the coordinator's
/// silo is declared dead (brokers watch the coordinator as it watches them), so the coordinator moves to a live
/// silo at once instead of after Orleans' own probing. A paused coordinator takes about two session timeouts; a
/// SIGKILLed one is declared dead at the first unanswered heartbeat, since no connection to its silo can be opened
/// (<see cref="SiloGoneProbe"/>); one whose silo answers is moving and is waited for (<see cref="CoordinatorVerdict"/>).</item>
/// <item>Refused with NOT_CONTROLLER (a coordinator activation that was superseded, <see cref="CoordinatorTenure"/>):
/// not renewed, and not counted against that silo, which is a live broker.</item>
/// <item>This loop itself stalled for a session timeout (the process was paused, or starved): before the
/// next heartbeat it reads the membership table, so a silo the others declared dead meanwhile stops (Orleans
/// stops a silo that finds itself dead) instead of renewing its lease from a stale coordinator activation of
/// its own. A stall alone fences nothing: that was a false positive in a busy process.</item>
/// </list>
/// <para>Concurrency: one loop per silo (<see cref="RunAsync"/>); the lease is the only state it shares.</para>
/// </summary>
public sealed partial class BrokerHeartbeat(
    IGrainFactory grains,
    IClusterMembershipService membership,
    ILocalSiloDetails silo,
    BrokerLease lease,
    SiloGoneProbe probe,
    IOptions<BrokerOptions> options,
    TimeProvider time,
    ILogger<BrokerHeartbeat> logger)
{
    /// <summary>Beats until <paramref name="stopping"/> or until this broker is fenced.</summary>
    public async Task RunAsync(CancellationToken stopping)
    {
        var coordinator = grains.GetGrain<IMetadataGrain>(IMetadataGrain.ClusterKey);
        var session = options.Value.SessionTimeout;
        var self = silo.SiloAddress;
        SiloAddress? coordinatorSilo = null;
        var lastAnswered = time.GetTimestamp();
        var lastBeatEnded = lastAnswered;
        var unanswered = 0;
        using var timer = new PeriodicTimer(options.Value.HeartbeatInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping))
            {
                var sentAt = time.GetTimestamp();

                // The time this loop could not run, the wait for an answer left out: a paused process, not a slow coordinator.
                var stalled = time.GetElapsedTime(lastBeatEnded, sentAt);
                if (stalled > session)
                {
                    // The others may have declared this silo dead meanwhile, and a coordinator activation here would
                    // still grant the lease: read the membership table first (Orleans stops a silo that finds itself dead there).
                    LogStalled(options.Value.Id, (long)stalled.TotalMilliseconds);
                    try
                    {
                        await membership.Refresh(cancellationToken: stopping).AsTask().WaitAsync(session * 4, time, stopping);
                    }
                    catch (Exception e) when (!stopping.IsCancellationRequested)
                    {
                        // Unreadable now: the lease lapsed during the stall and a refused heartbeat still fences this broker.
                        LogUnanswered(e.Message);
                    }
                }

                try
                {
                    // A slow answer still counts: the coordinator is gone only when it answers nothing for a whole session.
                    var answer = await coordinator.Heartbeat(options.Value.Id, self).WaitAsync(session, time, stopping);
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
                    lastAnswered = sentAt;
                    unanswered = 0;
                }
                catch (OrleansLogException e) when (e.Code == ErrorCode.NotController && !stopping.IsCancellationRequested)
                {
                    // A coordinator activation Orleans is replacing: its silo is a live broker, so nothing is counted
                    // against it; the lease is not renewed, and the next heartbeats reach the new activation.
                    LogUnanswered(e.Message);
                }
                catch (Exception e) when (!stopping.IsCancellationRequested)
                {
                    unanswered++;
                    LogUnanswered(e.Message);
                    var silent = time.GetElapsedTime(lastAnswered);
                    if (coordinatorSilo is { } lost && !lost.Equals(self) && membership.CurrentSnapshot.GetSiloStatus(lost) == SiloStatus.Active)
                    {
                        // Once silent for a session, the probe waits long enough for a busy silo to answer.
                        var lapsed = CoordinatorVerdict.IsLapsed(unanswered, silent, session);
                        var finding = await probe.ProbeAsync(lost, lapsed ? session / 2 : options.Value.HeartbeatInterval);
                        if (CoordinatorVerdict.IsDead(finding, unanswered, silent, session))
                        {
                            LogCoordinatorSilent(lost, (long)silent.TotalMilliseconds);
                            await membership.TryKill(lost);
                            lastAnswered = time.GetTimestamp();
                            unanswered = 0;
                        }
                        else if (lapsed && finding == SiloProbeFinding.Answered)
                        {
                            LogCoordinatorMoving(lost, (long)silent.TotalMilliseconds);
                        }
                    }
                }
                finally
                {
                    lastBeatEnded = time.GetTimestamp();
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

    [LoggerMessage(Level = LogLevel.Error, Message = "Broker {BrokerId} was fenced by the coordinator (its session lapsed and its partitions moved): it acknowledges nothing more and leaves the cluster; restart it to rejoin.")]
    private partial void LogFenced(int brokerId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Broker {BrokerId} was stalled for {StalledMs} ms (longer than its session): it reads the membership table before it heartbeats again, in case it was declared dead meanwhile.")]
    private partial void LogStalled(int brokerId, long stalledMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The coordinator on {Silo} answered no heartbeat for {SilentMs} ms: its silo is declared dead so the coordinator moves.")]
    private partial void LogCoordinatorSilent(SiloAddress silo, long silentMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The coordinator on {Silo} answered no heartbeat for {SilentMs} ms, but its silo answers: its activation is moving, so the silo is not declared dead (this broker acknowledges nothing until a heartbeat is granted).")]
    private partial void LogCoordinatorMoving(SiloAddress silo, long silentMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "The coordinator on {Silo} answers this broker's heartbeats (after {Unanswered} unanswered).")]
    private partial void LogAnswered(SiloAddress silo, int unanswered);

    [LoggerMessage(Level = LogLevel.Debug, Message = "A heartbeat was not answered: {Message}")]
    private partial void LogUnanswered(string message);
}
