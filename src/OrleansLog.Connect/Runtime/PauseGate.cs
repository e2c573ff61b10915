namespace OrleansLog.Connect.Runtime;

/// <summary>Holds a task's loop while its connector is paused. Thread-safe: the grain opens and closes it, the loop waits on it.</summary>
public sealed class PauseGate
{
    private readonly Lock _lock = new();
    private TaskCompletionSource _open = NewOpen(true);

    public bool IsPaused
    {
        get
        {
            lock (_lock)
            {
                return !_open.Task.IsCompleted;
            }
        }
    }

    public void Pause()
    {
        lock (_lock)
        {
            if (_open.Task.IsCompleted)
            {
                _open = NewOpen(false);
            }
        }
    }

    public void Resume()
    {
        lock (_lock)
        {
            _open.TrySetResult();
        }
    }

    public Task WaitAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return _open.Task.WaitAsync(cancellationToken);
        }
    }

    private static TaskCompletionSource NewOpen(bool open)
    {
        var source = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (open)
        {
            source.SetResult();
        }

        return source;
    }
}
