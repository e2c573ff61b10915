namespace OrleansLog.Server.Metadata;

/// <summary>
/// The coordinator's side of broker sessions (Kafka's broker heartbeats and session timeout): when each
/// broker was last heard from, and which silos were fenced. A session lapses one session timeout after its
/// last heartbeat; <see cref="Expire"/> fences the lapsed ones for good (the silo is declared dead, the
/// broker returns as a new silo and registers again). A silo found gone while it was silent (no connection to
/// it can be opened, <see cref="FoundGone"/>) is fenced at the next check without waiting for the rest of its session: its
/// process is gone.
/// <para>
/// A silent broker whose silo answers a probe (<see cref="FoundAnswering"/>) runs: its heartbeats are going astray,
/// as they do for a few seconds when Orleans moves the coordinator (they queue at the old activation while it
/// deactivates). Its lapsed session runs for another session timeout instead of being fenced, at most
/// <see cref="MaxExtensions"/> times in a row, so a broker whose heartbeat loop is broken for good is still fenced.
/// Only time is given: without granted heartbeats its own lease has lapsed, so it acknowledges nothing meanwhile.
/// </para>
/// <para>
/// A session opened here (a broker registering, or every live broker when a coordinator activation starts) may wait
/// <see cref="FirstHeartbeatSessions"/> session timeouts for its first heartbeat: a starting broker on a loaded
/// machine took longer than one (CI: three brokers starting beside other test runs on two cores; the broker was
/// fenced before its first heartbeat arrived), and heartbeats to a coordinator that just moved queue behind its old
/// activation. Waiting longer is safe: a broker's lease comes only from granted heartbeats and lapses on its own
/// clock; it costs only time before an unresponsive broker's partitions move. A found-gone silo is fenced at once.
/// </para>
/// <para>
/// The coordinator must not mistake its own silence for the brokers': when it ran no check for half a
/// session timeout (its process was paused, or it just activated), every session counts from now, so a
/// coordinator that resumes never fences the brokers that kept heartbeating while it could not listen.
/// </para>
/// <para>Concurrency: not thread-safe; used in the coordinator grain's turns only.</para>
/// </summary>
public sealed class BrokerSessions
{
    /// <summary>How many more session timeouts in a row a silent broker whose silo answers gets.</summary>
    public const int MaxExtensions = 3;

    /// <summary>How many session timeouts a session opened here may wait for its first heartbeat.</summary>
    public const int FirstHeartbeatSessions = 4;

    private readonly TimeProvider _time;
    private readonly long _sessionTicks;
    private readonly Dictionary<int, Session> _sessions = [];
    private readonly HashSet<SiloAddress> _fenced = [];
    private readonly HashSet<SiloAddress> _foundGone = [];
    private readonly HashSet<SiloAddress> _foundAnswering = [];
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
            _foundAnswering.Remove(old.Silo);
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

        _sessions[brokerId] = session with { LastHeard = _time.GetTimestamp(), Extensions = 0, Heard = true };
        _foundGone.Remove(silo);
        _foundAnswering.Remove(silo);
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

    /// <summary>
    /// Evidence that silent <paramref name="silo"/>'s process runs (its runtime answered): kept until its session lapses,
    /// which it then extends once (probes finish between checks, so a finding must outlive the check after it).
    /// </summary>
    public void FoundAnswering(SiloAddress silo)
    {
        if (_sessions.Values.Any(s => s.Silo.Equals(silo)) && !_fenced.Contains(silo))
        {
            _foundAnswering.Add(silo);
        }
    }

    /// <summary>Whether broker <paramref name="brokerId"/> has an open, unfenced session.</summary>
    public bool IsOpen(int brokerId) => _sessions.TryGetValue(brokerId, out var session) && !_fenced.Contains(session.Silo);

    /// <summary>Whether <paramref name="silo"/> was fenced.</summary>
    public bool IsFenced(SiloAddress silo) => _fenced.Contains(silo);

    /// <summary>The brokers whose lapsed sessions the last <see cref="Expire"/> extended (their silos answered).</summary>
    public IReadOnlyList<int> LastExtended { get; private set; } = [];

    /// <summary>
    /// Fences every session silent for a session timeout, or that was found gone, except
    /// <paramref name="exempt"/>'s (the coordinator's own silo, which the brokers watch instead) and a lapsed one
    /// whose silo was found answering (extended instead, <see cref="LastExtended"/>). Returns the fenced brokers
    /// and how long each was silent.
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
        List<(int BrokerId, Session Session)>? extended = null;
        foreach (var (brokerId, session) in _sessions)
        {
            var foundGone = _foundGone.Contains(session.Silo);
            var lapsed = SilentTicks(session, now) > (session.Heard ? _sessionTicks : _sessionTicks * FirstHeartbeatSessions);
            if ((!lapsed && !foundGone) || session.Silo.Equals(exempt) || _fenced.Contains(session.Silo))
            {
                continue;
            }

            if (!foundGone && _foundAnswering.Remove(session.Silo) && session.Extensions < MaxExtensions)
            {
                (extended ??= []).Add((brokerId, session with { Extensions = session.Extensions + 1, ExtendedAt = now }));
                continue;
            }

            _fenced.Add(session.Silo);
            (fenced ??= []).Add(new FencedSession(brokerId, session.Silo, _time.GetElapsedTime(session.LastHeard, now), foundGone));
        }

        foreach (var (brokerId, session) in extended ?? [])
        {
            _sessions[brokerId] = session;
        }

        LastExtended = extended is null ? [] : extended.ConvertAll(e => e.BrokerId);

        _foundGone.Clear();
        return fenced ?? (IReadOnlyList<FencedSession>)[];
    }

    /// <summary>How long the session has been silent as the coordinator could watch it: never counted from before <see cref="_watchingSince"/>.</summary>
    private long SilentTicks(Session session, long now) => now - Math.Max(Math.Max(session.LastHeard, session.ExtendedAt), _watchingSince);

    /// <summary>
    /// A broker's session: its silo, when it was last heard (or opened) and whether it was heard here at all, and how
    /// often (and when last) its lapse was put off because its silo answered.
    /// </summary>
    private sealed record Session(SiloAddress Silo, long LastHeard, int Extensions = 0, long ExtendedAt = long.MinValue, bool Heard = false);
}
