namespace OrleansLog.Benchmarks.Compare.Drivers;

/// <summary>
/// A system's servers, started by the benchmark on loopback in a temp directory (one server, or three
/// for replication factor 3), and the drivers that reach them. Disposing kills the servers.
/// </summary>
public interface IBenchmarkServers : IAsyncDisposable
{
    /// <summary>The server processes whose CPU time and memory the report shows.</summary>
    IReadOnlyList<int> ProcessIds { get; }

    IReadOnlyList<IBenchmarkDriver> Drivers { get; }

    /// <summary>The servers' .NET runtime counters so far, or null where the server does not say (the peers are native).</summary>
    Task<ServerRuntime?> RuntimeAsync() => Task.FromResult<ServerRuntime?>(null);
}
