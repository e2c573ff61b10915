namespace OrleansLog.Server.Metadata;

/// <summary>
/// The coordinator's probes of brokers that missed two heartbeats in a row (<see cref="SiloGoneProbe"/>): one
/// at a time per silo, each leaving its finding in <see cref="BrokerSessions"/>, whose next check fences a
/// silo found gone, about a second before its session would lapse, and gives a silo found answering more time.
/// A probe waits for an answer for what is left of the session once it starts, two heartbeats in (so the finding
/// lands before the lapse): a busy process (three brokers starting on two cores
/// answered heartbeats in 0.7–0.9 s) is slow to answer, not gone; a refused port still settles a killed one at once.
/// <para>
/// Concurrency: not thread-safe. The coordinator calls <see cref="Start"/> from its turns, and the probes'
/// continuations run in its activation's context between turns; they only touch this class and the sessions'
/// findings, never the coordinator's state.
/// </para>
/// </summary>
public sealed class SilentBrokerProbes(SiloGoneProbe probe, BrokerSessions sessions, TimeSpan heartbeatInterval, TimeSpan sessionTimeout)
{
    private readonly HashSet<SiloAddress> _probing = [];

    /// <summary>How long a broker is silent before it is probed.</summary>
    private TimeSpan SilentFor => heartbeatInterval * 2;

    /// <summary>Starts a probe of each silo (but <paramref name="exempt"/>) silent for two heartbeats that is not being probed already.</summary>
    public void Start(SiloAddress exempt)
    {
        foreach (var silo in sessions.Silent(exempt, SilentFor))
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
            switch (await probe.ProbeAsync(silo, sessionTimeout - SilentFor))
            {
                case SiloProbeFinding.Gone:
                    sessions.FoundGone(silo);
                    break;
                case SiloProbeFinding.Answered:
                    sessions.FoundAnswering(silo);
                    break;
            }
        }
        finally
        {
            _probing.Remove(silo);
        }
    }
}
