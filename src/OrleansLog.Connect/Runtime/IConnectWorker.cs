namespace OrleansLog.Connect.Runtime;

/// <summary>A task's work loop: runs until cancelled (a stop) or until it fails (the task is then FAILED with the exception).</summary>
public interface IConnectWorker
{
    Task RunAsync(CancellationToken cancellationToken);
}
