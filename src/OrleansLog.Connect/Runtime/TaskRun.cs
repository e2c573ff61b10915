namespace OrleansLog.Connect.Runtime;

/// <summary>
/// One run of a task's worker on the thread pool, outside the grain's turn (its loop waits on outside systems), with no
/// request context of whoever started it. A retriable failure (<see cref="IsRetriable"/>: a leader moving, a silo dying,
/// a database connection dropping) starts a new worker after a backoff that doubles from 1 s to <see cref="MaxBackoff"/>,
/// and the task stays RUNNING; any other failure ends the run, kept as the task's trace until a restart.
/// Thread-safe: the grain starts, pauses and stops it; the loop writes <see cref="Failure"/> once.
/// </summary>
public sealed class TaskRun : IDisposable
{
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private volatile string? _failure;

    private TaskRun(Func<PauseGate, IConnectWorker> worker, PauseGate gate, TimeProvider time)
    {
        Gate = gate;
        using (ExecutionContext.SuppressFlow())
        {
            _loop = Task.Run(() => RunAsync(worker, time));
        }
    }

    public PauseGate Gate { get; }

    /// <summary>The failure that ended the run (its type, message and stack), or null while it runs or after a stop.</summary>
    public string? Failure => _failure;

    public static TaskRun Start(Func<PauseGate, IConnectWorker> worker, TimeProvider time) => new(worker, new PauseGate(), time);

    /// <summary>Cancels the loop and waits for it to end, at most <paramref name="timeout"/>.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        await _stop.CancelAsync();
        await _loop.WaitAsync(timeout).ContinueWith(static _ => { }, TaskScheduler.Default);
        Dispose();
    }

    public void Dispose() => _stop.Dispose();

    /// <summary>
    /// A refusal worth starting over from: Kafka's retriable codes, the cluster's transport while a silo dies (no reply,
    /// a connection refused), a database connection that dropped.
    /// </summary>
    public static bool IsRetriable(Exception e) =>
        e is OrleansLogException { IsRetriable: true } or Plugins.RetriableConnectException or SiloUnavailableException or OrleansMessageRejectionException or TimeoutException
            or Npgsql.NpgsqlException { IsTransient: true };

    private async Task RunAsync(Func<PauseGate, IConnectWorker> worker, TimeProvider time)
    {
        var backoff = TimeSpan.FromSeconds(1);
        while (true)
        {
            try
            {
                await worker(Gate).RunAsync(_stop.Token);
                return;
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (IsRetriable(e))
            {
                try
                {
                    await Task.Delay(backoff, time, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
            catch (Exception e)
            {
                _failure = e.ToString();
                return;
            }
        }
    }
}
