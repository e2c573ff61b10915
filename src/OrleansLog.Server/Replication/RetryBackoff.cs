namespace OrleansLog.Server.Replication;

/// <summary>
/// The wait before the next attempt after failures in a row: <c>initial</c> after the first, doubling with each
/// further failure up to <c>maximum</c>, and back to <c>initial</c> after a success (Kafka's
/// <c>reconnect.backoff.ms</c> and <c>reconnect.backoff.max.ms</c>). A leader whose follower's broker is dead
/// then asks it a few times a second at first and about once every <c>maximum</c> after that, instead of
/// five times a second for as long as it stays dead; the coordinator repeats an unheard announcement the same way.
/// <para>Concurrency: one per retry loop; not thread-safe.</para>
/// </summary>
public sealed class RetryBackoff(TimeSpan initial, TimeSpan maximum)
{
    private readonly TimeSpan _initial = initial;
    private TimeSpan _next = initial;

    /// <summary>Failures since the last success.</summary>
    public int Failures { get; private set; }

    /// <summary>Counts a failure and returns how long to wait before the next attempt.</summary>
    public TimeSpan Failed()
    {
        Failures++;
        var wait = _next;
        _next = TimeSpan.FromTicks(Math.Min(_next.Ticks * 2, maximum.Ticks));
        return wait;
    }

    public void Succeeded()
    {
        Failures = 0;
        _next = _initial;
    }
}
