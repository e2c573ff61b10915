namespace OrleansLog.Server.Replication;

/// <summary>
/// A partition leader's high watermark: the offset below which every in-sync replica holds the log, so
/// consumers may read below it and acks=all produces are answered once it covers them. This is the one
/// place it moves, and it only moves forward: each advance is published to this broker's
/// <see cref="LocalReplica"/> (where a later leadership of this broker starts from) and wakes whoever
/// waits. <see cref="Close"/> ends it when the leadership ends, waking every waiter for good.
/// <para>
/// Concurrency: not thread-safe. One leadership term of a partition grain owns it and touches it only
/// in the grain's turns; waiters resume asynchronously, never inline in the turn that advanced it.
/// </para>
/// </summary>
public sealed class HighWatermark
{
    private readonly LocalReplica _replica;
    private TaskCompletionSource _changed = NewSignal();

    public HighWatermark(long initial, LocalReplica replica)
    {
        Value = initial;
        _replica = replica;
        replica.SetHighWatermark(initial);
    }

    public long Value { get; private set; }

    /// <summary>Whether the leadership that owned it ended; it never moves again.</summary>
    public bool IsClosed { get; private set; }

    /// <summary>Completes at the next advance, or at <see cref="Close"/> (and stays completed after it).</summary>
    public Task NextChange => _changed.Task;

    /// <summary>Moves to <paramref name="offset"/> if that is ahead; returns whether it moved.</summary>
    public bool AdvanceTo(long offset)
    {
        if (IsClosed || offset <= Value)
        {
            return false;
        }

        Value = offset;
        _replica.SetHighWatermark(offset);
        var changed = _changed;
        _changed = NewSignal();
        changed.TrySetResult();
        return true;
    }

    public void Close()
    {
        IsClosed = true;
        _changed.TrySetResult();
    }

    /// <summary>
    /// Waits until the high watermark reaches <paramref name="offset"/> (true), or it is closed or
    /// <paramref name="deadline"/> completes first (false).
    /// </summary>
    public async Task<bool> WaitForAsync(long offset, Task deadline)
    {
        while (Value < offset)
        {
            if (IsClosed || deadline.IsCompleted)
            {
                return false;
            }

            await Task.WhenAny(NextChange, deadline);
        }

        return true;
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
