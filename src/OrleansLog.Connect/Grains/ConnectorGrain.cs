using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Orleans.Serialization;
using OrleansLog.Connect.Config;
using OrleansLog.Connect.Plugins;
using OrleansLog.Connect.Runtime;
using OrleansLog.Server.Persistence;

namespace OrleansLog.Connect.Grains;

/// <summary>
/// A connector (see <see cref="IConnectorGrain"/>). Its configuration is validated before it is stored; its tasks are
/// placed by the cluster grain and kept running by <see cref="Supervise"/>. Not reentrant: changes are one at a time,
/// and each is stored before it is answered.
/// </summary>
public sealed partial class ConnectorGrain(
    [PersistentState("connector", OrleansLogStorage.Name)] IPersistentState<ConnectorState> state,
    ConnectRuntime runtime,
    DeepCopier copier,
    ILocalSiloDetails silo,
    ILogger<ConnectorGrain> logger) : Grain, IConnectorGrain
{
    private ImmutableDictionary<int, SiloAddress> _placement = ImmutableDictionary<int, SiloAddress>.Empty;

    private string Name => this.GetPrimaryKeyString();

    private ConnectorState State => state.State;

    private bool Exists => State.Config is not null;

    private IConnectClusterGrain Cluster => GrainFactory.GetGrain<IConnectClusterGrain>(IConnectClusterGrain.ClusterKey);

    public async Task<ConnectAnswer<ConnectorInfo>> Put(ImmutableSortedDictionary<string, string> config, bool createOnly)
    {
        if (ConnectorName.Check(Name) is { } badName)
        {
            return ConnectAnswer.Fail<ConnectorInfo>(ConnectStatus.BadRequest, badName);
        }

        if (createOnly && Exists)
        {
            return ConnectAnswer.Fail<ConnectorInfo>(ConnectStatus.Conflict, $"Connector {Name} already exists");
        }

        config = config.SetItem(ConnectorConfigs.Name, Name);
        var (parsed, plugin, refused, unknown) = runtime.Check(config);
        if (unknown is not null || refused is not null)
        {
            return ConnectAnswer.Fail<ConnectorInfo>(ConnectStatus.BadRequest, unknown ?? ConnectRuntime.Describe(refused!));
        }

        var tasksMax = parsed!.GetInt(ConnectorConfigs.TasksMax);
        var taskConfigs = plugin!.TaskConfigs(parsed, tasksMax).Take(tasksMax).Select(ConnectRuntime.Sorted).ToImmutableArray();
        var registered = await Cluster.Register(Name, State.Target == ConnectTargetState.Stopped ? 0 : taskConfigs.Length);
        if (registered.IsError)
        {
            return ConnectAnswer.Fail<ConnectorInfo>(registered.Status, registered.Message!);
        }

        var before = copier.Copy(State);
        var created = !Exists;
        State.Config = config;
        State.Type = plugin.Type;
        State.Generation++;
        State.TaskConfigs = taskConfigs;
        State.RestartEpochs = [.. Enumerable.Range(0, taskConfigs.Length).Select(i => i < State.RestartEpochs.Length ? State.RestartEpochs[i] : 0)];
        await state.WriteOrRestoreAsync(before, $"the configuration of connector {Name}");
        await HaltTasksFrom(taskConfigs.Length, before.TaskConfigs.Length);
        await Place(registered.Value!);
        LogConfigured(Name, created ? "created" : "reconfigured", taskConfigs.Length);
        return ConnectAnswer.Of<ConnectorInfo>(Describe());
    }

    public Task<ConnectAnswer<ConnectorInfo>> Info() =>
        Task.FromResult(Exists ? ConnectAnswer.Of<ConnectorInfo>(Describe()) : NotFound<ConnectorInfo>());

    public async Task<ConnectAnswer<ConnectorStatus>> Status() =>
        Exists ? ConnectAnswer.Of<ConnectorStatus>(await DescribeStatus()) : NotFound<ConnectorStatus>();

    public Task<ConnectAnswer<ImmutableArray<ConnectTaskConfig>>> TaskConfigs() =>
        Task.FromResult(Exists
            ? ConnectAnswer.Of<ImmutableArray<ConnectTaskConfig>>([.. State.TaskConfigs.Select((c, i) => new ConnectTaskConfig(new ConnectTaskId(Name, i), State.Config!.SetItems(c)))])
            : NotFound<ImmutableArray<ConnectTaskConfig>>());

    public async Task<ConnectAnswer<ConnectTaskStatus>> TaskStatus(int task)
    {
        if (!Exists || task < 0 || task >= TaskCount)
        {
            return Exists ? ConnectAnswer.Fail<ConnectTaskStatus>(ConnectStatus.NotFound, $"Task {Name}-{task} does not exist") : NotFound<ConnectTaskStatus>();
        }

        return ConnectAnswer.Of<ConnectTaskStatus>(await TaskGrain(task).Status());
    }

    public async Task<ConnectAnswer<ConnectorStatus>> SetTarget(ConnectTargetState target)
    {
        if (!Exists)
        {
            return NotFound<ConnectorStatus>();
        }

        if (State.Target != target)
        {
            var registered = await Cluster.Register(Name, target == ConnectTargetState.Stopped ? 0 : State.TaskConfigs.Length);
            if (registered.IsError)
            {
                return ConnectAnswer.Fail<ConnectorStatus>(registered.Status, registered.Message!);
            }

            var before = copier.Copy(State);
            State.Target = target;
            await state.WriteOrRestoreAsync(before, $"the state of connector {Name}");
            LogTarget(Name, target);
            await Place(registered.Value!);
        }

        return ConnectAnswer.Of<ConnectorStatus>(await DescribeStatus());
    }

    public async Task<ConnectAnswer<ConnectorStatus>> Restart(bool includeTasks, bool onlyFailed)
    {
        if (!Exists)
        {
            return NotFound<ConnectorStatus>();
        }

        if (includeTasks)
        {
            var statuses = await Task.WhenAll(Enumerable.Range(0, TaskCount).Select(i => TaskGrain(i).Status()));
            var restart = statuses.Where(s => !onlyFailed || s.State == ConnectStates.Failed).Select(s => s.Id).ToHashSet();
            await RaiseEpochs(restart);
        }

        return ConnectAnswer.Of<ConnectorStatus>(await DescribeStatus());
    }

    public async Task<ConnectAnswer<ConnectTaskStatus>> RestartTask(int task)
    {
        if (!Exists || task < 0 || task >= TaskCount)
        {
            return Exists ? ConnectAnswer.Fail<ConnectTaskStatus>(ConnectStatus.NotFound, $"Task {Name}-{task} does not exist") : NotFound<ConnectTaskStatus>();
        }

        await RaiseEpochs([task]);
        return ConnectAnswer.Of<ConnectTaskStatus>(await TaskGrain(task).Status());
    }

    public async Task<ConnectAnswer<bool>> Delete()
    {
        if (!Exists)
        {
            return NotFound<bool>();
        }

        var before = copier.Copy(State);
        var tasks = State.TaskConfigs.Length;
        state.State = new ConnectorState();
        await state.ClearOrRestoreAsync(before, $"the deletion of connector {Name}");
        await HaltTasksFrom(0, tasks);
        await Cluster.Unregister(Name);
        LogDeleted(Name);
        DeactivateOnIdle();
        return ConnectAnswer.Of<bool>(true);
    }

    public async Task Supervise(ImmutableDictionary<int, SiloAddress> placement)
    {
        if (!Exists)
        {
            // Deleted while the cluster still listed it: stop whatever still runs, and have the cluster forget it.
            await HaltTasksFrom(0, placement.Keys.DefaultIfEmpty(-1).Max() + 1);
            await Cluster.Unregister(Name);
            return;
        }

        await Place(placement);
    }

    /// <summary>
    /// Stops each task that runs on another silo than its placement, then has every placed task run (a moved one
    /// starts on its new silo). Where a task runs is asked of the task itself, not remembered here: a connector
    /// activated anew (its silo died) never saw where its tasks ran, and a task left running on a silo it no longer
    /// belongs to would never move.
    /// </summary>
    private async Task Place(ImmutableDictionary<int, SiloAddress> placement)
    {
        _placement = placement;
        var placed = placement.Where(p => p.Key < TaskCount).ToList();
        var workers = await Task.WhenAll(placed.Select(p => TaskGrain(p.Key).Status()));
        await Task.WhenAll(placed.Zip(workers)
            .Where(p => p.Second.WorkerId != p.First.Value.Endpoint.ToString())
            .Select(p => TaskGrain(p.First.Key).Halt()));
        await ApplyToRunningTasks();
    }

    private int TaskCount => State.Target == ConnectTargetState.Stopped ? 0 : State.TaskConfigs.Length;

    private IConnectTaskGrain TaskGrain(int task) => GrainFactory.GetGrain<IConnectTaskGrain>(new ConnectTaskId(Name, task).GrainKey);

    private ConnectTaskAssignment Assignment(int task) =>
        new(new ConnectTaskId(Name, task), State.Config!, State.TaskConfigs[task], State.Target, State.Generation, State.RestartEpochs[task]);

    /// <summary>Tells every placed task what it is to run now (a stopped connector's tasks stop).</summary>
    private async Task ApplyToRunningTasks()
    {
        var tasks = Enumerable.Range(0, State.TaskConfigs.Length).Where(i => State.Target == ConnectTargetState.Stopped || _placement.ContainsKey(i));
        await Task.WhenAll(tasks.Select(i => State.Target == ConnectTargetState.Stopped ? TaskGrain(i).Halt() : TaskGrain(i).Run(Assignment(i))));
    }

    private async Task RaiseEpochs(HashSet<int> tasks)
    {
        if (tasks.Count == 0)
        {
            return;
        }

        var before = copier.Copy(State);
        State.RestartEpochs = [.. State.RestartEpochs.Select((epoch, i) => tasks.Contains(i) ? epoch + 1 : epoch)];
        await state.WriteOrRestoreAsync(before, $"the restart of connector {Name}'s tasks");
        await ApplyToRunningTasks();
    }

    private async Task HaltTasksFrom(int first, int end)
    {
        if (end > first)
        {
            await Task.WhenAll(Enumerable.Range(first, end - first).Select(i => TaskGrain(i).Halt()));
        }
    }

    private ConnectorInfo Describe() => new(Name, State.Config!, [.. Enumerable.Range(0, TaskCount)], State.Type);

    private async Task<ConnectorStatus> DescribeStatus()
    {
        var tasks = await Task.WhenAll(Enumerable.Range(0, TaskCount).Select(i => TaskGrain(i).Status()));
        var state = State.Target switch
        {
            ConnectTargetState.Paused => ConnectStates.Paused,
            ConnectTargetState.Stopped => ConnectStates.Stopped,
            _ => ConnectStates.Running,
        };
        return new ConnectorStatus(Name, new ConnectWorkState(state, silo.SiloAddress.Endpoint.ToString(), null), [.. tasks], State.Type);
    }

    private ConnectAnswer<T> NotFound<T>() => ConnectAnswer.Fail<T>(ConnectStatus.NotFound, $"Connector {Name} not found");

    [LoggerMessage(Level = LogLevel.Information, Message = "Connector {Connector} {Change} with {Tasks} task(s).")]
    private partial void LogConfigured(string connector, string change, int tasks);

    [LoggerMessage(Level = LogLevel.Information, Message = "Connector {Connector} is now {Target}.")]
    private partial void LogTarget(string connector, ConnectTargetState target);

    [LoggerMessage(Level = LogLevel.Information, Message = "Connector {Connector} deleted.")]
    private partial void LogDeleted(string connector);
}
