using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Orleans.Serialization;
using OrleansLog.Connect.Plugins;
using OrleansLog.Connect.Runtime;
using OrleansLog.Server.Persistence;

namespace OrleansLog.Connect.Grains;

/// <summary>
/// The cluster's connectors and the placement of their tasks (see <see cref="IConnectClusterGrain"/>). Placement is
/// recomputed by <see cref="TaskAssignor"/> over Orleans' active silos whenever a connector's task count or the silos
/// change, and stored only when it changed, so a new activation keeps tasks where they run.
/// Reentrant: a supervision pass waits on connectors, which call back here (register, placement) meanwhile; state
/// changes are synchronous between awaits, and stores are taken one at a time.
/// </summary>
[Reentrant]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "A SemaphoreSlim holds no handle unless its AvailableWaitHandle is used.")]
public sealed partial class ConnectClusterGrain(
    [PersistentState("connect", OrleansLogStorage.Name)] IPersistentState<ConnectClusterState> state,
    ConnectRuntime runtime,
    IClusterMembershipService membership,
    DeepCopier copier,
    TimeProvider time,
    ILogger<ConnectClusterGrain> logger) : Grain, IConnectClusterGrain
{
    private readonly SemaphoreSlim _writes = new(1, 1);
    private long? _lastPass;
    private bool _passing;

    private ConnectClusterState State => state.State;

    public Task<ImmutableArray<string>> List() => Task.FromResult(State.Connectors.Keys.Order(StringComparer.Ordinal).ToImmutableArray());

    public Task<ImmutableArray<ConnectorPluginInfo>> Plugins() =>
        Task.FromResult(runtime.Plugins.All.Select(p => new ConnectorPluginInfo(p.ClassName, p.Type, p.Version)).ToImmutableArray());

    public Task<ConnectAnswer<ConfigValidation>> Validate(string connectorClass, ImmutableSortedDictionary<string, string> config)
    {
        var plugin = runtime.Plugins.Find(connectorClass);
        return Task.FromResult(plugin is null
            ? ConnectAnswer.Fail<ConfigValidation>(ConnectStatus.NotFound, $"Failed to find any class that implements Connector and which name matches {connectorClass}")
            : ConnectAnswer.Of<ConfigValidation>(ConnectorConfigs.Validate(plugin, config.SetItem(ConnectorConfigs.Class, connectorClass), runtime.Context)));
    }

    public async Task<ConnectAnswer<ImmutableDictionary<int, SiloAddress>>> Register(string name, int tasks)
    {
        if (!State.Connectors.ContainsKey(name) && State.Connectors.Count >= runtime.Options.MaxConnectors)
        {
            return ConnectAnswer.Fail<ImmutableDictionary<int, SiloAddress>>(ConnectStatus.TooMany,
                $"The cluster runs at most {runtime.Options.MaxConnectors} connectors (OrleansLog:Connect:MaxConnectors); delete one first.");
        }

        if (State.Connectors.GetValueOrDefault(name, -1) != tasks)
        {
            var before = copier.Copy(State);
            State.Connectors[name] = tasks;
            Rebalance();
            await Store(before, $"connector {name}'s registration");
        }

        return ConnectAnswer.Of<ImmutableDictionary<int, SiloAddress>>(PlacementOf(name));
    }

    public async Task Unregister(string name)
    {
        if (State.Connectors.ContainsKey(name))
        {
            var before = copier.Copy(State);
            State.Connectors.Remove(name);
            Rebalance();
            await Store(before, $"connector {name}'s removal");
        }
    }

    public async Task<SiloAddress?> Placement(ConnectTaskId task)
    {
        if (!State.Connectors.TryGetValue(task.Connector, out var count) || task.Task >= count)
        {
            return null;
        }

        if (!State.Placement.TryGetValue(task.GrainKey, out var silo) || !IsActive(silo))
        {
            var before = copier.Copy(State);
            if (Rebalance())
            {
                await Store(before, "the placement of connector tasks");
            }
        }

        return State.Placement.GetValueOrDefault(task.GrainKey);
    }

    public async Task Supervise()
    {
        if (_passing || (_lastPass is { } last && time.GetElapsedTime(last) < runtime.Options.CheckInterval / 2))
        {
            return;
        }

        _passing = true;
        try
        {
            _lastPass = time.GetTimestamp();
            var before = copier.Copy(State);
            if (Rebalance())
            {
                await Store(before, "the placement of connector tasks");
            }

            await Task.WhenAll(State.Connectors.Keys.ToList().Select(SuperviseOne));
        }
        finally
        {
            _passing = false;
        }
    }

    private async Task SuperviseOne(string name)
    {
        try
        {
            await GrainFactory.GetGrain<IConnectorGrain>(name).Supervise(PlacementOf(name));
        }
        catch (Exception e)
        {
            // One connector's trouble (a silo just died under a task) is retried at the next pass; the others go on.
            LogSuperviseFailed(e, name);
        }
    }

    private ImmutableDictionary<int, SiloAddress> PlacementOf(string name) =>
        Enumerable.Range(0, State.Connectors.GetValueOrDefault(name))
            .Select(i => (Task: i, Key: new ConnectTaskId(name, i).GrainKey))
            .Where(t => State.Placement.ContainsKey(t.Key))
            .ToImmutableDictionary(t => t.Task, t => State.Placement[t.Key]);

    /// <summary>Places every task over the active silos; true when anything moved.</summary>
    private bool Rebalance()
    {
        var silos = membership.CurrentSnapshot.Members.Values.Where(m => m.Status == SiloStatus.Active).Select(m => m.SiloAddress)
            .OrderBy(s => s.ToParsableString(), StringComparer.Ordinal).ToList();
        var tasks = State.Connectors.SelectMany(c => Enumerable.Range(0, c.Value).Select(i => new ConnectTaskId(c.Key, i).GrainKey)).ToList();
        var placement = TaskAssignor.Assign(tasks, silos, State.Placement);
        if (placement.Count == State.Placement.Count && placement.All(p => State.Placement.TryGetValue(p.Key, out var silo) && silo.Equals(p.Value)))
        {
            return false;
        }

        State.Placement = placement;
        LogRebalanced(tasks.Count, silos.Count);
        return true;
    }

    private bool IsActive(SiloAddress silo) => membership.CurrentSnapshot.GetSiloStatus(silo) == SiloStatus.Active;

    private async Task Store(ConnectClusterState before, string change)
    {
        await _writes.WaitAsync();
        try
        {
            await state.WriteOrRestoreAsync(before, change);
        }
        finally
        {
            _writes.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Supervising connector {Connector} failed; the next pass tries again.")]
    private partial void LogSuperviseFailed(Exception error, string connector);

    [LoggerMessage(Level = LogLevel.Information, Message = "Connector tasks placed again: {Tasks} task(s) over {Silos} silo(s).")]
    private partial void LogRebalanced(int tasks, int silos);
}
