namespace OrleansLog.Connect.Runtime;

/// <summary>
/// One run of a task's worker on the thread pool, outside the grain's turn (its loop waits on outside systems), with no
/// request context of whoever started it. It ends when stopped or when the worker fails; a failure is kept as the task's
/// trace. Thread-safe: the grain starts, pauses and stops it; the loop writes <see cref="Failure"/> once.
/// </summary>
public sealed class TaskRun : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private volatile string? _failure;

    private TaskRun(IConnectWorker worker, PauseGate gate)
    {
        Gate = gate;
        using (ExecutionContext.SuppressFlow())
        {
            _loop = Task.Run(() => RunAsync(worker));
        }
    }

    public PauseGate Gate { get; }

    /// <summary>The failure that ended the run (its type, message and stack), or null while it runs or after a stop.</summary>
    public string? Failure => _failure;

    public static TaskRun Start(Func<PauseGate, IConnectWorker> worker)
    {
        var gate = new PauseGate();
        return new TaskRun(worker(gate), gate);
    }

    /// <summary>Cancels the loop and waits for it to end, at most <paramref name="timeout"/>.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        await _stop.CancelAsync();
        await _loop.WaitAsync(timeout).ContinueWith(static _ => { }, TaskScheduler.Default);
        Dispose();
    }

    public void Dispose() => _stop.Dispose();

    private async Task RunAsync(IConnectWorker worker)
    {
        try
        {
            await worker.RunAsync(_stop.Token);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            _failure = e.ToString();
        }
    }
}
