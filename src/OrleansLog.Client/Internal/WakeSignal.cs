namespace OrleansLog.Client.Internal;

/// <summary>An auto-reset signal for one waiting loop: <see cref="Set"/> wakes the next (or current) wait; many sets before a wait count once.</summary>
internal sealed class WakeSignal
{
    private readonly Lock _lock = new();
    private TaskCompletionSource? _waiter;
    private bool _set;

    public void Set()
    {
        TaskCompletionSource? waiter;
        lock (_lock)
        {
            waiter = _waiter;
            _waiter = null;
            _set = waiter is null;
        }

        waiter?.TrySetResult();
    }

    /// <summary>Completes when set, or after <paramref name="timeout"/> (infinite with <see cref="Timeout.InfiniteTimeSpan"/>).</summary>
    public async Task WaitAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        Task wait;
        lock (_lock)
        {
            if (_set)
            {
                _set = false;
                return;
            }

            _waiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            wait = _waiter.Task;
        }

        // A timeout is the normal way a wait ends (a linger ran out): no exception is thrown for it.
        await wait.WaitAsync(timeout, time, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        cancellationToken.ThrowIfCancellationRequested();
    }
}
