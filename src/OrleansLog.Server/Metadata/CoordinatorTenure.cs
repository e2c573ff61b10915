namespace OrleansLog.Server.Metadata;

/// <summary>
/// Whether this coordinator activation is still the coordinator. Orleans keeps one activation of a grain, but not
/// through every membership change: when the silo that held the coordinator's directory entry shuts down, the entry
/// is lost; the old activation is told to deactivate, which it finishes only after its running requests, while its
/// timers keep firing (they are local messages that a deactivating activation still runs); and the next call
/// activates another one elsewhere. Seen in TlsClusterFailoverTests: the old activation, hearing no heartbeats (they
/// went to the new one), fenced a live broker and declared its silo dead.
/// <para>
/// So each activation takes the next epoch, persisted before it serves (<see cref="Began"/>), and reads the stored
/// epoch again before it fences anyone or moves leaders. An activation that reads a newer epoch is superseded for good
/// (<see cref="Observe"/>): it fences nobody, grants no heartbeat (a broker's lease must come from the coordinator
/// that may move its partitions), changes nothing, and deactivates. Its other writes need no such check: the store's
/// version tags refuse them once the newer activation has written.
/// </para>
/// <para>Concurrency: not thread-safe; the coordinator's turns only.</para>
/// </summary>
public sealed class CoordinatorTenure
{
    /// <summary>This activation's epoch.</summary>
    public long Epoch { get; private set; }

    /// <summary>Whether a newer activation took over (for good).</summary>
    public bool IsSuperseded { get; private set; }

    /// <summary>This activation persisted <paramref name="epoch"/> as its own.</summary>
    public void Began(long epoch) => Epoch = epoch;

    /// <summary>The stored epoch was read as <paramref name="storedEpoch"/>: returns whether this activation is still the coordinator.</summary>
    public bool Observe(long storedEpoch)
    {
        if (storedEpoch > Epoch)
        {
            IsSuperseded = true;
        }

        return !IsSuperseded;
    }
}
