using Microsoft.Extensions.Logging;
using OrleansLog.Connect.Runtime;

namespace OrleansLog.Connect.Grains;

/// <summary>
/// A task of a connector (see <see cref="IConnectTaskGrain"/>): a thin shell over a <see cref="TaskRun"/>. Not reentrant:
/// a run starts, pauses and stops one call at a time; the run's loop itself is outside the grain's turns.
/// </summary>
[ConnectTaskPlacement]
public sealed partial class ConnectTaskGrain(ConnectRuntime runtime, ILocalSiloDetails silo, ILogger<ConnectTaskGrain> logger) : Grain, IConnectTaskGrain
{
    private ConnectTaskAssignment? _assignment;
    private TaskRun? _run;

    private string WorkerId => silo.SiloAddress.Endpoint.ToString();

    private int TaskNumber => ConnectTaskId.ParseGrainKey(this.GetPrimaryKeyString()).Task;

    public async Task<ConnectTaskStatus> Run(ConnectTaskAssignment assignment)
    {
        if (assignment.Target == ConnectTargetState.Stopped)
        {
            await Halt();
            return new ConnectTaskStatus(assignment.Id.Task, ConnectStates.Stopped, WorkerId, null);
        }

        if (_run is null || _assignment is null || _assignment.Generation != assignment.Generation || _assignment.RestartEpoch != assignment.RestartEpoch)
        {
            await StopRun();
            _assignment = assignment;
            _run = TaskRun.Start(gate => runtime.CreateWorker(assignment, gate), runtime.Context.Time);
            LogStarted(assignment.Id, WorkerId, assignment.Generation);
        }

        _assignment = assignment;
        if (assignment.Target == ConnectTargetState.Paused)
        {
            _run?.Gate.Pause();
        }
        else
        {
            _run?.Gate.Resume();
        }

        return Describe();
    }

    public Task<ConnectTaskStatus> Status() => Task.FromResult(Describe());

    public async Task Halt()
    {
        await StopRun();
        _assignment = null;
        DeactivateOnIdle();
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        await StopRun();
        await base.OnDeactivateAsync(reason, cancellationToken);
    }

    private ConnectTaskStatus Describe()
    {
        var state = _assignment is null ? ConnectStates.Unassigned
            : _run?.Failure is not null ? ConnectStates.Failed
            : _run?.Gate.IsPaused == true ? ConnectStates.Paused
            : ConnectStates.Running;
        return new ConnectTaskStatus(TaskNumber, state, WorkerId, state == ConnectStates.Failed ? _run?.Failure : null);
    }

    private async Task StopRun()
    {
        if (_run is { } run)
        {
            _run = null;
            await run.StopAsync(runtime.Options.StopTimeout);
            LogStopped(_assignment?.Id, WorkerId);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Connector task {Task} started on {Worker} (configuration generation {Generation}).")]
    private partial void LogStarted(ConnectTaskId task, string worker, int generation);

    [LoggerMessage(Level = LogLevel.Information, Message = "Connector task {Task} stopped on {Worker}.")]
    private partial void LogStopped(ConnectTaskId? task, string worker);
}
