using System.Collections.Immutable;

namespace OrleansLog.Connect;

/// <summary>
/// A connector's and its tasks' states as Kafka Connect's <c>GET /connectors/{name}/status</c> shows them. States are
/// Kafka Connect's: UNASSIGNED, RUNNING, PAUSED, STOPPED, FAILED (with the error's trace), RESTARTING.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ConnectorStatus(
    [property: Id(0)] string Name,
    [property: Id(1)] ConnectWorkState Connector,
    [property: Id(2)] ImmutableArray<ConnectTaskStatus> Tasks,
    [property: Id(3)] string Type);

/// <summary>A state, the worker (silo) it was seen on, and the trace of the failure when FAILED.</summary>
[GenerateSerializer, Immutable]
public sealed record ConnectWorkState(
    [property: Id(0)] string State,
    [property: Id(1)] string WorkerId,
    [property: Id(2)] string? Trace);

/// <summary>One task's state.</summary>
[GenerateSerializer, Immutable]
public sealed record ConnectTaskStatus(
    [property: Id(0)] int Id,
    [property: Id(1)] string State,
    [property: Id(2)] string WorkerId,
    [property: Id(3)] string? Trace);

/// <summary>Kafka Connect's state names.</summary>
public static class ConnectStates
{
    public const string Unassigned = "UNASSIGNED";
    public const string Running = "RUNNING";
    public const string Paused = "PAUSED";
    public const string Stopped = "STOPPED";
    public const string Failed = "FAILED";
    public const string Restarting = "RESTARTING";
}
