namespace OrleansLog.Server.Metadata;

/// <summary>
/// The coordinator's side of broker sessions (Kafka's broker heartbeats and session timeout): when each
/// broker was last heard from, and which silos were fenced. A session lapses one session timeout after its
/// last heartbeat; <see cref="Expire"/> fences the lapsed ones for good (the silo is declared dead, the
/// broker returns as a new silo and registers again). A silo found gone while it was silent (no connection to
/// it can be opened, <see cref="FoundGone"/>) is fenced at the next check without waiting for the rest of its session: its
/// process is gone.
/// <para>
/// The coordinator must not mistake its own silence for the brokers': when it ran no check for half a
/// session timeout (its process was paused, or it just activated), every session counts from now, so a
/// coordinator that resumes never fences the brokers that kept heartbeating while it could not listen.
/// </para>
/// <para>Concurrency: not thread-safe; used in the coordinator grain's turns only.</para>
/// </summary>
public sealed class BrokerSessions
{
    private readonly TimeProvider _time;
    private readonly long _sessionTicks;
    private readonly Dictionary<int, Session> _sessions = [];
    private readonly HashSet<SiloAddress> _fenced = [];
    private readonly HashSet<SiloAddress> _foundGone = [];
    private long _watchingSince;
    private long _lastCheck;

    public BrokerSessions(TimeProvider time, TimeSpan sessionTimeout)
    {
        _time = time;
        _sessionTicks = (long)(sessionTimeout.TotalSeconds * time.TimestampFrequency);
        _watchingSince = _lastCheck = time.GetTimestamp();
    }

    /// <summary>Opens (or reopens, for a new silo of the same broker) a session, as of now.</summary>
    public void Open(int brokerId, SiloAddress silo)
    {
        if (_sessions.TryGetValue(brokerId, out var old) && !old.Silo.Equals(silo))
        {
            // The broker's previous silo is gone for good; its entry only mattered while it could still call.
            _fenced.Remove(old.Silo);
        }

        _sessions[brokerId] = new Session(silo, _time.GetTimestamp());
    }

    /// <summary>
    /// A heartbeat: renews the session and returns true, or false when that silo was fenced or is not the
    /// one registered as that broker (so it must stop acknowledging).
    /// </summary>
    public bool Heartbeat(int brokerId, SiloAddress silo)
    {
        if (_fenced.Contains(silo) || !_sessions.TryGetValue(brokerId, out var session) || !session.Silo.Equals(silo))
        {
            return false;
        }

        _sessions[brokerId] = session with { LastHeard = _time.GetTimestamp() };
        _foundGone.Remove(silo);
        return true;
    }

    /// <summary>
    /// The silos (other than <paramref name="exempt"/>) of unfenced sessions silent for at least
    /// <paramref name="silentFor"/>: the ones worth a look before their session lapses.
    /// </summary>
    public IReadOnlyList<SiloAddress> Silent(SiloAddress exempt, TimeSpan silentFor)
    {
        var now = _time.GetTimestamp();
        var ticks = (long)(silentFor.TotalSeconds * _time.TimestampFrequency);
        List<SiloAddress>? silent = null;
        foreach (var session in _sessions.Values)
        {
            if (SilentTicks(session, now) >= ticks && !session.Silo.Equals(exempt) && !_fenced.Contains(session.Silo))
            {
                (silent ??= []).Add(session.Silo);
            }
        }

        return silent ?? (IReadOnlyList<SiloAddress>)[];
    }

    /// <summary>Evidence that <paramref name="silo"/>'s process is gone (no connection to it could be opened): the next <see cref="Expire"/> fences it.</summary>
    public void FoundGone(SiloAddress silo)
    {
        if (_sessions.Values.Any(s => s.Silo.Equals(silo)) && !_fenced.Contains(silo))
        {
            _foundGone.Add(silo);
        }
    }

    /// <summary>Whether broker <paramref name="brokerId"/> has an open, unfenced session.</summary>
    public bool IsOpen(int brokerId) => _sessions.TryGetValue(brokerId, out var session) && !_fenced.Contains(session.Silo);

    /// <summary>Whether <paramref name="silo"/> was fenced.</summary>
    public bool IsFenced(SiloAddress silo) => _fenced.Contains(silo);

    /// <summary>
    /// Fences every session silent for a session timeout, or that was found gone, except
    /// <paramref name="exempt"/>'s (the coordinator's own silo, which the brokers watch instead). Returns the
    /// fenced brokers and how long each was silent.
    /// </summary>
    public IReadOnlyList<FencedSession> Expire(SiloAddress exempt)
    {
        var now = _time.GetTimestamp();
        if (now - _lastCheck > _sessionTicks / 2)
        {
            _watchingSince = now;
        }

        _lastCheck = now;
        List<FencedSession>? fenced = null;
        foreach (var (brokerId, session) in _sessions)
        {
            var foundGone = _foundGone.Contains(session.Silo);
            if ((SilentTicks(session, now) > _sessionTicks || foundGone) && !session.Silo.Equals(exempt) && _fenced.Add(session.Silo))
            {
                (fenced ??= []).Add(new FencedSession(brokerId, session.Silo, _time.GetElapsedTime(session.LastHeard, now), foundGone));
            }
        }

        _foundGone.Clear();
        return fenced ?? (IReadOnlyList<FencedSession>)[];
    }

    /// <summary>How long the session has been silent as the coordinator could watch it: never counted from before <see cref="_watchingSince"/>.</summary>
    private long SilentTicks(Session session, long now) => now - Math.Max(session.LastHeard, _watchingSince);

    private sealed record Session(SiloAddress Silo, long LastHeard);
}
