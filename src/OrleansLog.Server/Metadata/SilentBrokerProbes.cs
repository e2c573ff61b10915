namespace OrleansLog.Server.Metadata;

/// <summary>
/// The coordinator's probes of brokers that missed two heartbeats in a row (<see cref="SiloGoneProbe"/>): one
/// at a time per silo, each leaving its finding in <see cref="BrokerSessions"/>, whose next check fences a
/// silo found gone, about a second before its session would lapse.
/// <para>
/// Concurrency: not thread-safe. The coordinator calls <see cref="Start"/> from its turns, and the probes'
/// continuations run in its activation's context between turns; they only touch this class and the sessions'
/// findings, never the coordinator's state.
/// </para>
/// </summary>
public sealed class SilentBrokerProbes(SiloGoneProbe probe, BrokerSessions sessions, TimeSpan heartbeatInterval)
{
    private readonly HashSet<SiloAddress> _probing = [];

    /// <summary>Starts a probe of each silo (but <paramref name="exempt"/>) silent for two heartbeats that is not being probed already.</summary>
    public void Start(SiloAddress exempt)
    {
        foreach (var silo in sessions.Silent(exempt, silentFor: heartbeatInterval * 2))
        {
            if (_probing.Add(silo))
            {
                _ = Probe(silo);
            }
        }
    }

    private async Task Probe(SiloAddress silo)
    {
        try
        {
            if (await probe.IsGoneAsync(silo, heartbeatInterval))
            {
                sessions.FoundGone(silo);
            }
        }
        finally
        {
            _probing.Remove(silo);
        }
    }
}
