using OrleansLog.Server.Metadata;

namespace OrleansLog.Server.Brokers;

/// <summary>
/// When a broker whose heartbeats go unanswered declares the coordinator's silo dead (so the coordinator moves at once
/// instead of after Orleans' own probing). That silo is a broker too, so the verdict must not hit a live one:
/// <list type="bullet">
/// <item>its process is gone (a probe finds its port closed): dead at once;</item>
/// <item>silent for a session timeout over at least <see cref="Attempts"/> heartbeats, and its silo does not answer a
/// probe either (a paused or frozen process): dead;</item>
/// <item>silent, but its silo answers: the coordinator activation is moving (Orleans deactivates it when the silo
/// holding its directory entry leaves, and heartbeats queue until it has; seen taking 3.8 s after a broker's SIGKILL),
/// so the broker waits, up to <see cref="PatienceSessions"/> session timeouts of silence.</item>
/// </list>
/// Stateless.
/// </summary>
public static class CoordinatorVerdict
{
    /// <summary>Unanswered heartbeats, at the least, before silence counts.</summary>
    public const int Attempts = 2;

    /// <summary>How many session timeouts of silence a coordinator whose silo answers is waited for.</summary>
    public const int PatienceSessions = BrokerSessions.MaxExtensions + 1;

    /// <summary>Whether the coordinator has been silent long enough to be judged (else only a closed port condemns it).</summary>
    public static bool IsLapsed(int unanswered, TimeSpan silent, TimeSpan session) => unanswered >= Attempts && silent >= session;

    /// <summary>Whether the coordinator's silo is declared dead, given what a probe of it found.</summary>
    public static bool IsDead(SiloProbeFinding finding, int unanswered, TimeSpan silent, TimeSpan session) =>
        finding == SiloProbeFinding.Gone
        || (IsLapsed(unanswered, silent, session) && (finding == SiloProbeFinding.Unproven || silent >= session * PatienceSessions));
}
